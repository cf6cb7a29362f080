import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { LoginPage } from './LoginPage';

function renderLogin() {
  const router = createMemoryRouter([{ path: '/login', element: <LoginPage /> }], { initialEntries: ['/login'] });
  render(<RouterProvider router={router} />);
}

describe('the login form', () => {
  it('takes an email or a username, and enables submit only when both fields are filled in properly', async () => {
    const user = userEvent.setup();
    renderLogin();
    const submit = screen.getByRole('button', { name: 'Log in' });
    expect(submit).toBeDisabled();
    await user.type(screen.getByLabelText('Email or username'), 'ada');
    await user.type(screen.getByLabelText('Password'), 'short');
    expect(screen.getByText('Password must be at least 8 characters.')).toBeVisible();
    expect(submit).toBeDisabled();
    await user.type(screen.getByLabelText('Password'), ' but now long');
    expect(screen.queryByText(/must be/)).toBeNull();
    expect(submit).toBeEnabled();
    await user.clear(screen.getByLabelText('Email or username'));
    expect(screen.getByText('Email or username is required.')).toBeVisible();
    expect(submit).toBeDisabled();
  });
});
