import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { session, type User } from '../../api/session';
import { RequireSignIn } from '../../app/RequireSignIn';
import { useSession } from '../../app/useSession';
import { Alert, Button, Card, Loading, Notice, PageTitle, styles, TextField } from '../../ui';
import { emailProblem, passwordProblem } from '../auth/rules';

function SolvedCount() {
  const scores = useQuery({ queryKey: ['scores', 'mine'], queryFn: async () => must(await api.GET('/api/v1/scores/user')) });
  if (scores.isPending) return <Loading what="your scores" />;
  if (scores.isError) return <Alert>Your scores could not be loaded: {scores.error.message}</Alert>;
  return <>{scores.data.filter((score) => score.correct).length}</>;
}

function ChangeEmail({ user }: { user: User }) {
  const [email, setEmail] = useState(user.email ?? '');
  const [touched, setTouched] = useState(false);
  const change = useMutation({
    mutationFn: async () => must(await api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { email } })),
    onSuccess: (updated) => session.setUser(updated),
  });
  const problem = touched ? emailProblem(email) : undefined;
  const serverProblem = change.error instanceof ApiRequestError ? change.error.fieldErrors.email : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!emailProblem(email)) change.mutate();
  };
  return (
    <Card title="Change email">
      {change.isSuccess && <Notice>Your email is now {change.data.email}.</Notice>}
      {change.isError && <Alert>{change.error.message}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="New email"
          type="email"
          autoComplete="email"
          value={email}
          error={problem ?? serverProblem}
          onChange={(event) => {
            setEmail(event.target.value);
            setTouched(true);
            change.reset();
          }}
        />
        <Button type="submit" disabled={Boolean(emailProblem(email)) || email === user.email || change.isPending}>
          Save email
        </Button>
      </form>
    </Card>
  );
}

function ChangePassword({ user }: { user: User }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [touched, setTouched] = useState(false);
  const change = useMutation({
    mutationFn: async () =>
      must(
        await api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { password: next, current_password: current } }),
      ),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setTouched(false);
    },
  });
  const problem = touched ? passwordProblem(next) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (current && !passwordProblem(next)) change.mutate();
  };
  return (
    <Card title="Change password">
      {change.isSuccess && <Notice>Your password is changed.</Notice>}
      {change.isError && <Alert>{change.error.message}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters"
          value={next}
          error={problem}
          onChange={(event) => {
            setNext(event.target.value);
            setTouched(true);
          }}
        />
        <Button type="submit" disabled={!current || Boolean(passwordProblem(next)) || change.isPending}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

function Deactivate({ user }: { user: User }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [sure, setSure] = useState(false);
  const deactivate = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: user.id } } })),
    onSuccess: () => {
      session.forget();
      queryClient.clear();
      navigate('/', { state: { flash: 'Your account is deactivated.' } });
    },
  });
  return (
    <Card title="Deactivate account">
      <p>You will be logged out and will not be able to log in again unless an administrator activates your account.</p>
      {deactivate.isError && <Alert>{deactivate.error.message}</Alert>}
      {sure ? (
        <Button variant="danger" onClick={() => deactivate.mutate()} disabled={deactivate.isPending}>
          Yes, deactivate my account
        </Button>
      ) : (
        <Button variant="secondary" onClick={() => setSure(true)}>
          Deactivate my account…
        </Button>
      )}
    </Card>
  );
}

function Profile() {
  const { user } = useSession();
  // The session holds the user as of login; karma and the rest may have moved since.
  const fresh = useQuery({
    queryKey: ['auth', 'status'],
    queryFn: async () => {
      const current = must(await api.GET('/api/v1/auth/status'));
      session.setUser(current);
      return current;
    },
  });
  if (!user) return null;
  if (fresh.isError) return <Alert>Your account could not be loaded: {fresh.error.message}</Alert>;
  return (
    <>
      <Card title="Your account">
        <dl className={styles.facts}>
          <dt>User ID</dt>
          <dd>{user.id}</dd>
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Karma</dt>
          <dd>{user.karma}</dd>
          <dt>Exercises solved</dt>
          <dd>
            <SolvedCount />
          </dd>
          {user.admin && (
            <>
              <dt>Role</dt>
              <dd>Administrator</dd>
            </>
          )}
        </dl>
      </Card>
      <ChangeEmail user={user} />
      <ChangePassword user={user} />
      <Deactivate user={user} />
    </>
  );
}

export function StatusPage() {
  return (
    <>
      <PageTitle>Status</PageTitle>
      <RequireSignIn>
        <Profile />
      </RequireSignIn>
    </>
  );
}
