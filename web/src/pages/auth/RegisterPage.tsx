import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiRequestError, api, must } from '../../api/client';
import { session } from '../../api/session';
import { Alert, Button, PageTitle, TextField } from '../../ui';
import { emailProblem, passwordProblem, usernameProblem, visibleProblems } from './rules';

type Field = 'username' | 'email' | 'password';

export function RegisterPage() {
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<Field, string>>({ username: '', email: '', password: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const problems = {
    username: usernameProblem(values.username),
    email: emailProblem(values.email),
    password: passwordProblem(values.password),
  };
  const shown = { ...visibleProblems(problems, touched), ...serverErrors };
  const valid = !problems.username && !problems.email && !problems.password;

  const change = (field: Field) => (event: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: event.target.value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors(({ [field]: _, ...rest }) => rest);
  };
  const leave = (field: Field) => () => setTouched((t) => ({ ...t, [field]: true }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    setFailure(undefined);
    try {
      must(await api.POST('/api/v1/auth/register', { body: values }));
      const tokens = must(await api.POST('/api/v1/auth/login', { body: { username: values.username, password: values.password } }));
      await session.signIn(tokens);
      navigate('/', { state: { flash: `Welcome to Codeyard, ${values.username}!` } });
    } catch (error) {
      if (error instanceof ApiRequestError) setServerErrors(error.fieldErrors);
      setFailure(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Register</PageTitle>
      {failure && <Alert>{failure}</Alert>}
      <form onSubmit={submit} noValidate>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          hint="3–32 letters, digits, _ or -"
          value={values.username}
          error={shown.username}
          onChange={change('username')}
          onBlur={leave('username')}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={values.email}
          error={shown.email}
          onChange={change('email')}
          onBlur={leave('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters"
          value={values.password}
          error={shown.password}
          onChange={change('password')}
          onBlur={leave('password')}
        />
        <Button type="submit" disabled={!valid || busy}>
          {busy ? 'Registering…' : 'Register'}
        </Button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>.
      </p>
    </>
  );
}
