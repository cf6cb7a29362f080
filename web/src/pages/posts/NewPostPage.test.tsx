import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation, useParams } from 'react-router';
import { type ApiCall, json, renderRoutes, resetApi, signIn, stubApi, TEST_USER, unexpected } from '../../../test/api';
import { NewPostPage } from './NewPostPage';

function PostStandIn() {
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  return (
    <p>
      Post {useParams().id}: {flash}
    </p>
  );
}

function renderForm(path = '/posts/new') {
  renderRoutes(
    [
      { path: '/posts/new', element: <NewPostPage /> },
      { path: '/posts/:id', element: <PostStandIn /> },
    ],
    path,
  );
}

describe('the new-post form', () => {
  let createAnswer: (call: ApiCall) => Response;
  let calls: ApiCall[];

  beforeEach(async () => {
    calls = stubApi((call) => {
      if (call.path === '/api/v1/communities') return json(200, [{ name: 'javascript', posts: 3, created_at: TEST_USER.created_at }]);
      if (call.method === 'POST' && call.path === '/api/v1/posts') return createAnswer(call);
      return unexpected(call);
    });
    await signIn();
  });
  afterEach(resetApi);

  it('says what is wrong with each field as the user types, and publishes only a valid post', async () => {
    const user = userEvent.setup();
    renderForm();
    const publish = screen.getByRole('button', { name: 'Publish' });
    expect(publish).toBeDisabled();
    expect(screen.queryByText(/required|must|may contain/)).toBeNull();

    await user.type(screen.getByLabelText('Community'), 'JS');
    expect(screen.getByText('Community must be 3 to 32 characters.')).toBeVisible();
    await user.type(screen.getByLabelText('Community'), ' Crew');
    expect(screen.getByText('Community may contain only lower-case letters, digits and _.')).toBeVisible();
    expect(screen.getByLabelText('Community')).toHaveAttribute('aria-invalid', 'true');
    await user.clear(screen.getByLabelText('Community'));
    await user.type(screen.getByLabelText('Community'), 'js_crew');
    expect(screen.queryByText(/Community (must|may)/)).toBeNull();

    await user.type(screen.getByLabelText('Title'), '   ');
    expect(screen.getByText('Title is required.')).toBeVisible();
    await user.type(screen.getByLabelText('Title'), 'Closures, finally explained');
    await user.type(screen.getByLabelText('Link (optional)'), 'ftp://example.com');
    expect(screen.getByText('Link must be an http:// or https:// address.')).toBeVisible();
    expect(publish).toBeDisabled();
    await user.clear(screen.getByLabelText('Link (optional)'));
    expect(screen.queryByText(/must|required/)).toBeNull();
    expect(publish).toBeEnabled();
    expect(calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('shows the API’s own message beside the field it is about', async () => {
    const user = userEvent.setup();
    createAnswer = () =>
      json(400, { statusCode: 400, error: 'Bad Request', message: 'Invalid request', errors: { url: 'must be at most 2000 characters' } });
    renderForm('/posts/new?community=javascript');
    expect(screen.getByLabelText('Community')).toHaveValue('javascript');
    await user.type(screen.getByLabelText('Title'), 'A title');
    await user.type(screen.getByLabelText('Link (optional)'), 'https://example.com/');
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('must be at most 2000 characters')).toBeVisible();
    expect(screen.getByRole('alert')).toHaveTextContent('Invalid request');
    expect(screen.getByLabelText('Link (optional)')).toHaveAttribute('aria-invalid', 'true');
    // typing again clears the server's verdict until the next try
    await user.type(screen.getByLabelText('Link (optional)'), 'x');
    expect(screen.queryByText('must be at most 2000 characters')).toBeNull();
  });

  it('publishes the post with an idempotency key and opens it', async () => {
    const user = userEvent.setup();
    createAnswer = (call) => json(201, { id: 42, ...(call.body as object), username: 'ada', user_id: 7, created_at: TEST_USER.created_at });
    renderForm();
    await user.type(screen.getByLabelText('Community'), 'javascript');
    await user.type(screen.getByLabelText('Title'), 'Closures');
    await user.type(screen.getByLabelText('Text'), 'They capture variables, not values.');
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Post 42: Your post is published.')).toBeVisible();
    const posted = calls.filter((call) => call.method === 'POST');
    expect(posted.map((call) => call.body)).toEqual([
      { community: 'javascript', title: 'Closures', text: 'They capture variables, not values.', url: null },
    ]);
    expect(posted[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(posted[0]?.headers.get('authorization')).toBe('Bearer token');
  });
});
