import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { session } from '../../api/session';
import { Alert, Button, PageTitle, TextField } from '../../ui';
import { passwordProblem, visibleProblems } from './rules';

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const problems = { login: login.trim() ? undefined : 'Email or username is required.', password: passwordProblem(password) };
  const shown = visibleProblems(problems, touched);
  const valid = !problems.login && !problems.password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const who = login.includes('@') ? { email: login.trim() } : { username: login.trim() };
      const tokens = must(await api.POST('/api/v1/auth/login', { body: { ...who, password } }));
      const user = await session.signIn(tokens);
      if (!user) throw new Error('The session could not be started; try again.');
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from ?? '/', { state: { flash: `Welcome, ${user.username}!` } });
    } catch (error) {
      setFailure(error instanceof ApiRequestError || error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Log in</PageTitle>
      {failure && <Alert>{failure}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="Email or username"
          name="login"
          autoComplete="username"
          value={login}
          error={shown.login}
          onChange={(event) => {
            setLogin(event.target.value);
            setTouched((t) => ({ ...t, login: true }));
          }}
          onBlur={() => setTouched((t) => ({ ...t, login: true }))}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={shown.password}
          onChange={(event) => {
            setPassword(event.target.value);
            setTouched((t) => ({ ...t, password: true }));
          }}
          onBlur={() => setTouched((t) => ({ ...t, password: true }))}
        />
        <Button type="submit" disabled={!valid || busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
      </form>
      <p>
        New here? <Link to="/register">Register</Link>.
      </p>
    </>
  );
}
