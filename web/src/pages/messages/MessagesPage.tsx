import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { components } from '@codeyard/api-client';
import { ApiRequestError, api, must } from '../../api/client';
import { RequireSignIn } from '../../app/RequireSignIn';
import { useSession } from '../../app/useSession';
import { Alert, Button, Card, Empty, Loading, Notice, PageTitle, TextArea, TextField, styles } from '../../ui';
import { markInboxSeen, useInbox } from './newMessages';
import page from './messages.module.css';

type Message = components['schemas']['Message'];
type View = 'inbox' | 'sent' | 'favorites';

const VIEWS: { view: View; label: string }[] = [
  { view: 'inbox', label: 'Inbox' },
  { view: 'sent', label: 'Sent' },
  { view: 'favorites', label: 'Favourites' },
];

function Compose({ initialTo }: { initialTo: string }) {
  const queryClient = useQueryClient();
  const [to, setTo] = useState(initialTo);
  const [content, setContent] = useState('');
  const send = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/messages', {
          body: { to: to.trim(), content },
          params: { header: { 'idempotency-key': crypto.randomUUID() } },
        }),
      ),
    onSuccess: () => {
      setContent('');
      void queryClient.invalidateQueries({ queryKey: ['messages'] });
    },
  });
  const fieldErrors = send.error instanceof ApiRequestError ? send.error.fieldErrors : {};
  const contentProblem = content.length > 10_000 ? 'A message is at most 10 000 characters.' : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (to.trim() && content.trim() && !contentProblem) send.mutate();
  };
  return (
    <Card title="New message">
      {send.isSuccess && <Notice>Message sent to {send.data.to}.</Notice>}
      {send.isError && <Alert>{send.error.message}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="To (username)"
          value={to}
          autoComplete="off"
          error={fieldErrors.to}
          onChange={(event) => {
            setTo(event.target.value);
            send.reset();
          }}
        />
        <TextArea
          label="Message"
          value={content}
          error={contentProblem ?? fieldErrors.content}
          onChange={(event) => {
            setContent(event.target.value);
            if (send.isSuccess) send.reset();
          }}
        />
        <Button type="submit" disabled={!to.trim() || !content.trim() || Boolean(contentProblem) || send.isPending}>
          {send.isPending ? 'Sending…' : 'Send'}
        </Button>
      </form>
    </Card>
  );
}

function MessageItem({ message, sentByMe }: { message: Message; sentByMe: boolean }) {
  const queryClient = useQueryClient();
  // The button shows the server's answer, not a guess: it changes when the PUT/DELETE returns.
  // A background refresh of the list that started before the answer would bring back the old
  // flag, so it is cancelled first and the list is fetched again after.
  const favorite = useMutation({
    onMutate: () => queryClient.cancelQueries({ queryKey: ['messages'] }),
    mutationFn: async (on: boolean) => {
      const options = { params: { path: { id: message.id } } };
      return must(
        on ? await api.PUT('/api/v1/messages/{id}/favorite', options) : await api.DELETE('/api/v1/messages/{id}/favorite', options),
      );
    },
    onSuccess: (updated) => {
      for (const [key, list] of queryClient.getQueriesData<Message[]>({ queryKey: ['messages'] })) {
        if (list)
          queryClient.setQueryData(
            key,
            list.map((item) => (item.id === updated.id ? updated : item)),
          );
      }
      void queryClient.invalidateQueries({ queryKey: ['messages'] });
    },
  });
  const remove = useMutation({
    onMutate: () => queryClient.cancelQueries({ queryKey: ['messages'] }),
    mutationFn: async () => must(await api.DELETE('/api/v1/messages/{id}', { params: { path: { id: message.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['messages'] }),
  });
  const other = sentByMe ? `To ${message.to}` : `From ${message.from}`;
  return (
    <li className={page.message}>
      <div className={page.meta}>
        <strong>{other}</strong> <span className={styles.muted}>{new Date(message.created_at).toLocaleString('en-GB')}</span>
      </div>
      <p className={page.content}>{message.content}</p>
      {(favorite.isError || remove.isError) && <Alert>{(favorite.error ?? remove.error)?.message}</Alert>}
      <div className={page.actions}>
        <Button
          variant="secondary"
          aria-pressed={message.favorite}
          aria-label={`Favourite message ${other.toLowerCase()}`}
          disabled={favorite.isPending}
          onClick={() => favorite.mutate(!message.favorite)}
        >
          {message.favorite ? '★ Favourite' : '☆ Favourite'}
        </Button>
        <Button
          variant="secondary"
          aria-label={`Delete message ${other.toLowerCase()}`}
          disabled={remove.isPending}
          onClick={() => remove.mutate()}
        >
          Delete
        </Button>
      </div>
    </li>
  );
}

const listBox = async (box: 'inbox' | 'sent', favorite?: 'true') =>
  must(await api.GET('/api/v1/messages', { params: { query: { box, limit: 100, ...(favorite && { favorite }) } } }));

function MessageList({ view, userId, username }: { view: View; userId: number; username: string }) {
  const inbox = useInbox(view === 'inbox');
  const other = useQuery({
    queryKey: ['messages', 'list', view],
    enabled: view !== 'inbox',
    queryFn: async () => {
      if (view === 'sent') return listBox('sent');
      // A favourite can be a message one received or one sent: both boxes, newest first.
      const [received, sent] = await Promise.all([listBox('inbox', 'true'), listBox('sent', 'true')]);
      const byId = new Map([...received, ...sent].map((message) => [message.id, message]));
      return [...byId.values()].sort((a, b) => b.id - a.id);
    },
  });
  const messages = view === 'inbox' ? inbox : other;
  const newest = view === 'inbox' ? inbox.data?.[0]?.id : undefined;
  useEffect(() => {
    if (newest !== undefined) markInboxSeen(userId, newest);
  }, [newest, userId]);
  if (messages.isPending) return <Loading what="messages" />;
  if (messages.isError) return <Alert>Messages could not be loaded: {messages.error.message}</Alert>;
  if (messages.data.length === 0) return <Empty>No messages here.</Empty>;
  return (
    <ul className={styles.list} aria-label={VIEWS.find((entry) => entry.view === view)?.label}>
      {messages.data.map((message) => (
        <MessageItem key={message.id} message={message} sentByMe={view === 'sent' || (view === 'favorites' && message.from === username)} />
      ))}
    </ul>
  );
}

function Messages() {
  const { user } = useSession();
  const [params] = useSearchParams();
  const view = (VIEWS.find((entry) => entry.view === params.get('view'))?.view ?? 'inbox') as View;
  if (!user) return null;
  return (
    <>
      <Compose initialTo={params.get('to') ?? ''} />
      <nav aria-label="Mailboxes" className={styles.tabs}>
        {VIEWS.map((entry) => (
          <Link key={entry.view} to={`/messages?view=${entry.view}`} aria-current={entry.view === view ? 'page' : undefined}>
            {entry.label}
          </Link>
        ))}
      </nav>
      <h2>{VIEWS.find((entry) => entry.view === view)?.label}</h2>
      <MessageList view={view} userId={user.id} username={user.username} />
    </>
  );
}

export function MessagesPage() {
  return (
    <>
      <PageTitle>Messages</PageTitle>
      <RequireSignIn>
        <Messages />
      </RequireSignIn>
    </>
  );
}
