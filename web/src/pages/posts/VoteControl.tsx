import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { api, must } from '../../api/client';
import { useSession } from '../../app/useSession';
import { type Direction, type Tally, updateCachedTally, withVote } from './posts';
import page from './posts.module.css';

interface VoteControlProps {
  postId: number;
  /** What the buttons are about, for their group's accessible name. */
  title: string;
  /** From `useTallies`; undefined while it loads. */
  tally: Tally | undefined;
}

/**
 * Up and down buttons with the score between them. The buttons show the caller's own vote
 * (aria-pressed); pressing the pressed one takes the vote back. The score moves at once: the
 * cached tally is changed before the call and put back if the call fails.
 */
export function VoteControl({ postId, title, tally }: VoteControlProps) {
  const queryClient = useQueryClient();
  const { status } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const vote = useMutation({
    mutationFn: async ({ direction }: { direction: Direction; previous: Tally }) =>
      must(await api.PUT('/api/v1/votes/{post_id}', { params: { path: { post_id: postId } }, body: { direction } })),
    onMutate: async ({ direction }) => {
      // A read of this post's tally already on its way would overwrite the guess with the old score.
      await queryClient.cancelQueries({
        queryKey: ['tallies'],
        predicate: (query) => (query.state.data as Tally[] | undefined)?.some((one) => one.post_id === postId) ?? false,
      });
      updateCachedTally(queryClient, postId, (current) => withVote(current, direction));
    },
    // Only this post's tally goes back: votes on other posts may have landed meanwhile.
    onError: (_error, { previous }) => updateCachedTally(queryClient, postId, () => previous),
    onSuccess: (answer) => updateCachedTally(queryClient, postId, () => answer),
  });

  const myVote = tally?.my_vote ?? 'none';
  const press = (direction: 'up' | 'down') => {
    if (status !== 'signed-in') {
      navigate('/login', { state: { from: location.pathname + location.search, flash: 'Log in to vote.' } });
      return;
    }
    // One vote at a time: the next one starts from the answer to this one.
    if (!tally || vote.isPending) return;
    vote.mutate({ direction: myVote === direction ? 'none' : direction, previous: tally });
  };

  // Two grid items of the parent (see .post in posts.module.css): the buttons, and a message that spans the row.
  return (
    <>
      <fieldset className={page.voteButtons}>
        <legend className="visually-hidden">Vote on {title}</legend>
        <button type="button" className={page.voteButton} aria-label="Upvote" aria-pressed={myVote === 'up'} onClick={() => press('up')}>
          ▲
        </button>
        <span className={page.score} aria-live="polite">
          {tally ? tally.score : '–'}
          <span className="visually-hidden">{tally && Math.abs(tally.score) === 1 ? ' point' : ' points'}</span>
        </span>
        <button
          type="button"
          className={page.voteButton}
          aria-label="Downvote"
          aria-pressed={myVote === 'down'}
          onClick={() => press('down')}
        >
          ▼
        </button>
      </fieldset>
      {vote.isError && (
        <p role="alert" className={page.voteError}>
          Your vote was not counted: {vote.error.message}
        </p>
      )}
    </>
  );
}
