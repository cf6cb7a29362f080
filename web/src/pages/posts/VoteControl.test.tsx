import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '../../api/session';
import { type ApiCall, deferred, json, renderRoutes, resetApi, signIn, stubApi, unexpected } from '../../../test/api';
import { useTallies } from './posts';
import { VoteControl } from './VoteControl';

const TALLY = { post_id: 5, upvotes: 2, downvotes: 0, score: 2, my_vote: 'none' as const };

/** The control as a page uses it: the tally comes from the batch query, the control changes it. */
function VotedPost() {
  const tallies = useTallies([5]);
  return <VoteControl postId={5} title="Closures explained" tally={tallies.data?.[0]} />;
}

function renderVote() {
  renderRoutes(
    [
      { path: '/posts', element: <VotedPost /> },
      { path: '/login', element: <p>The login page</p> },
    ],
    '/posts',
  );
  const group = screen.getByRole('group', { name: 'Vote on Closures explained' });
  return {
    group,
    up: within(group).getByRole('button', { name: 'Upvote' }),
    down: within(group).getByRole('button', { name: 'Downvote' }),
    score: () => within(group).getByText(/points?$/).parentElement?.textContent,
  };
}

async function shows(control: ReturnType<typeof renderVote>, score: string) {
  await waitFor(() => expect(control.score()).toBe(score));
}

describe('the vote control', () => {
  let voteAnswer: (call: ApiCall) => Promise<Response>;
  let calls: ApiCall[];

  beforeEach(async () => {
    calls = stubApi((call) => {
      if (call.method === 'GET' && call.path === '/api/v1/votes') return json(200, [TALLY]);
      if (call.method === 'PUT' && call.path === '/api/v1/votes/5') return voteAnswer(call);
      return unexpected(call);
    });
    await signIn();
  });
  afterEach(resetApi);

  it('moves the score and shows the vote as pressed before the server answers', async () => {
    const user = userEvent.setup();
    const answer = deferred<Response>();
    voteAnswer = () => answer.promise;
    const control = renderVote();
    await shows(control, '2 points');
    expect(control.up).toHaveAttribute('aria-pressed', 'false');

    await user.click(control.up);
    await shows(control, '3 points');
    expect(control.up).toHaveAttribute('aria-pressed', 'true');
    expect(control.down).toHaveAttribute('aria-pressed', 'false');
    expect(calls.filter((call) => call.method === 'PUT').map((call) => call.body)).toEqual([{ direction: 'up' }]);

    // the server counted one more vote meanwhile: its answer wins
    answer.resolve(json(200, { post_id: 5, upvotes: 4, downvotes: 0, score: 4, my_vote: 'up' }));
    await shows(control, '4 points');
    expect(control.up).toHaveAttribute('aria-pressed', 'true');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('goes from up to down in one vote (score −2) and takes a vote back when its button is pressed again', async () => {
    const user = userEvent.setup();
    voteAnswer = async (call) => {
      const direction = (call.body as { direction: 'up' | 'down' | 'none' }).direction;
      const up = direction === 'up' ? 3 : 2;
      const down = direction === 'down' ? 1 : 0;
      return json(200, { post_id: 5, upvotes: up, downvotes: down, score: up - down, my_vote: direction });
    };
    const control = renderVote();
    await shows(control, '2 points');
    await user.click(control.up);
    await shows(control, '3 points');
    await user.click(control.down);
    await shows(control, '1 point');
    expect(control.down).toHaveAttribute('aria-pressed', 'true');
    expect(control.up).toHaveAttribute('aria-pressed', 'false');
    await user.click(control.down);
    await shows(control, '2 points');
    expect(control.down).toHaveAttribute('aria-pressed', 'false');
    expect(calls.filter((call) => call.method === 'PUT').map((call) => call.body)).toEqual([
      { direction: 'up' },
      { direction: 'down' },
      { direction: 'none' },
    ]);
  });

  it('puts the score back and says why when the vote fails', async () => {
    const user = userEvent.setup();
    const answer = deferred<Response>();
    voteAnswer = () => answer.promise;
    const control = renderVote();
    await shows(control, '2 points');

    await user.click(control.down);
    await shows(control, '1 point');
    expect(control.down).toHaveAttribute('aria-pressed', 'true');

    answer.resolve(json(503, { statusCode: 503, error: 'Service Unavailable', message: 'The votes service is unavailable' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your vote was not counted: The votes service is unavailable');
    expect(control.score()).toBe('2 points');
    expect(control.down).toHaveAttribute('aria-pressed', 'false');
    expect(control.up).toHaveAttribute('aria-pressed', 'false');
  });

  it('sends a visitor to log in instead of voting', async () => {
    const user = userEvent.setup();
    session.forget();
    voteAnswer = async () => json(500, {});
    const control = renderVote();
    await shows(control, '2 points');
    await user.click(control.up);
    expect(await screen.findByText('The login page')).toBeVisible();
    expect(calls.some((call) => call.method === 'PUT')).toBe(false);
  });
});
