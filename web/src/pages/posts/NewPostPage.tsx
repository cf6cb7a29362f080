import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { RequireSignIn } from '../../app/RequireSignIn';
import { Alert, Button, PageTitle, TextArea, TextField } from '../../ui';
import { visibleProblems } from '../auth/rules';
import { communityProblem, textProblem, titleProblem, urlProblem } from './rules';

type Field = 'community' | 'title' | 'text' | 'url';

function NewPostForm({ initialCommunity }: { initialCommunity: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const communitiesId = useId();
  const [values, setValues] = useState<Record<Field, string>>({ community: initialCommunity, title: '', text: '', url: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({ community: initialCommunity !== '' });
  // Existing communities as suggestions; a new name starts a new community.
  const communities = useQuery({
    queryKey: ['communities', 'suggestions'],
    queryFn: async () => must(await api.GET('/api/v1/communities', { params: { query: { limit: 100 } } })),
  });
  const create = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/posts', {
          body: { community: values.community, title: values.title, text: values.text, url: values.url === '' ? null : values.url },
          params: { header: { 'idempotency-key': crypto.randomUUID() } },
        }),
      ),
    onSuccess: async (post) => {
      await queryClient.invalidateQueries({ queryKey: ['posts'] });
      await queryClient.invalidateQueries({ queryKey: ['communities'] });
      navigate(`/posts/${post.id}`, { state: { flash: 'Your post is published.' } });
    },
  });

  const problems = {
    community: communityProblem(values.community),
    title: titleProblem(values.title),
    text: textProblem(values.text),
    url: urlProblem(values.url),
  };
  const shown = visibleProblems(problems, touched);
  const serverErrors = create.error instanceof ApiRequestError ? create.error.fieldErrors : {};
  const valid = Object.values(problems).every((problem) => problem === undefined);
  const field = (name: Field) => ({
    value: values[name],
    error: shown[name] ?? serverErrors[name],
    onChange: (event: { target: { value: string } }) => {
      setValues((current) => ({ ...current, [name]: event.target.value }));
      setTouched((current) => ({ ...current, [name]: true }));
      if (create.isError) create.reset();
    },
    onBlur: () => setTouched((current) => ({ ...current, [name]: true })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid && !create.isPending) create.mutate();
  };

  return (
    <>
      {create.isError && <Alert>{create.error.message}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="Community"
          hint="3–32 lower-case letters, digits or _. A new name starts a new community."
          list={communitiesId}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          {...field('community')}
        />
        <datalist id={communitiesId}>
          {(communities.data ?? []).map((community) => (
            <option key={community.name} value={community.name} />
          ))}
        </datalist>
        <TextField label="Title" autoComplete="off" {...field('title')} />
        <TextArea label="Text" rows={8} {...field('text')} />
        <TextField label="Link (optional)" type="url" inputMode="url" autoComplete="url" placeholder="https://" {...field('url')} />
        <Button type="submit" disabled={!valid || create.isPending}>
          {create.isPending ? 'Publishing…' : 'Publish'}
        </Button>
      </form>
    </>
  );
}

export function NewPostPage() {
  const [params] = useSearchParams();
  return (
    <>
      <PageTitle>New post</PageTitle>
      <RequireSignIn>
        <NewPostForm initialCommunity={params.get('community') ?? ''} />
      </RequireSignIn>
    </>
  );
}
