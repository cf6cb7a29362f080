import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { components } from '@codeyard/api-client';
import { ApiRequestError, api, must } from '../../api/client';
import { useSession } from '../../app/useSession';
import { Alert, Button, Loading, PageTitle } from '../../ui';
import { ageOf, useTallies } from './posts';
import page from './posts.module.css';
import { VoteControl } from './VoteControl';

type Post = components['schemas']['Post'];

/** Delete, behind a second "are you sure" step; shown to the author and to admins. */
function DeletePost({ post }: { post: Post }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: async () => must(await api.DELETE('/api/v1/posts/{id}', { params: { path: { id: post.id } } })),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['post', post.id] });
      await queryClient.invalidateQueries({ queryKey: ['posts'] });
      await queryClient.invalidateQueries({ queryKey: ['communities'] });
      navigate(`/communities/${post.community}`, { state: { flash: `The post “${post.title}” is deleted.` } });
    },
  });
  if (!confirming)
    return (
      <Button variant="secondary" onClick={() => setConfirming(true)}>
        Delete post
      </Button>
    );
  return (
    <fieldset className={page.actions}>
      <legend className="visually-hidden">Confirm deletion</legend>
      {remove.isError && <Alert>The post could not be deleted: {remove.error.message}</Alert>}
      <span>Delete this post for good?</span>
      <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
        {remove.isPending ? 'Deleting…' : 'Yes, delete it'}
      </Button>
      <Button variant="secondary" disabled={remove.isPending} onClick={() => setConfirming(false)}>
        Keep it
      </Button>
    </fieldset>
  );
}

function PostNotFound() {
  return (
    <>
      <PageTitle>Post not found</PageTitle>
      <p>
        There is no post at this address; it may have been deleted. <Link to="/posts">See the latest posts</Link>.
      </p>
    </>
  );
}

export function PostPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0 && id <= 2_147_483_647;
  const { user } = useSession();
  const post = useQuery({
    queryKey: ['post', id],
    enabled: valid,
    queryFn: async () => must(await api.GET('/api/v1/posts/{id}', { params: { path: { id } } })),
  });
  const tallies = useTallies(valid ? [id] : []);
  if (!valid || (post.error instanceof ApiRequestError && post.error.status === 404)) return <PostNotFound />;
  if (post.isPending) return <Loading what="the post" />;
  if (post.isError) return <Alert>The post could not be loaded: {post.error.message}</Alert>;
  const shown = post.data;
  const mayDelete = user !== null && (user.admin || user.id === shown.user_id);
  const link = shown.url && /^https?:\/\//i.test(shown.url) ? shown.url : null;
  return (
    <article className={page.post}>
      <VoteControl postId={shown.id} title={shown.title} tally={tallies.data?.[0]} />
      <div className={page.body}>
        <PageTitle>{shown.title}</PageTitle>
        <p className={page.meta}>
          in <Link to={`/communities/${shown.community}`}>{shown.community}</Link> · by{' '}
          <Link to={`/users/${shown.user_id}`}>{shown.username}</Link> · <time dateTime={shown.created_at}>{ageOf(shown.created_at)}</time>
        </p>
        {tallies.isError && <Alert>The score could not be loaded: {tallies.error.message}</Alert>}
        {link && (
          <p>
            <a href={link} rel="noopener noreferrer nofollow ugc">
              {link}
            </a>
          </p>
        )}
        {shown.text && <p className={page.text}>{shown.text}</p>}
        {mayDelete && <DeletePost post={shown} />}
      </div>
    </article>
  );
}
