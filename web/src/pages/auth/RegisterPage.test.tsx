import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { RegisterPage } from './RegisterPage';

function renderRegister() {
  const router = createMemoryRouter([{ path: '/register', element: <RegisterPage /> }], { initialEntries: ['/register'] });
  render(<RouterProvider router={router} />);
}

describe('the register form', () => {
  it('starts with the submit button disabled and no messages', () => {
    renderRegister();
    expect(screen.getByRole('button', { name: 'Register' })).toBeDisabled();
    expect(screen.queryByText(/required|must be/)).toBeNull();
  });

  it('says what is wrong with each field as the user types, and enables submit once all are valid', async () => {
    const user = userEvent.setup();
    renderRegister();
    await user.type(screen.getByLabelText('Username'), 'ab');
    expect(screen.getByText('Username must be at least 3 characters.')).toBeVisible();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    await user.type(screen.getByLabelText('Username'), 'c!');
    expect(screen.getByText('Username may contain only letters, digits, _ and -.')).toBeVisible();
    await user.type(screen.getByLabelText('Email'), 'someone@');
    expect(screen.getByText('Enter a valid email address.')).toBeVisible();
    await user.type(screen.getByLabelText('Password'), 'short');
    expect(screen.getByText('Password must be at least 8 characters.')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Register' })).toBeDisabled();

    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'abc_def');
    await user.type(screen.getByLabelText('Email'), 'example.com');
    await user.type(screen.getByLabelText('Password'), ' and longer');
    expect(screen.queryByText(/must be|valid email|may contain/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Register' })).toBeEnabled();
  });

  it('shows "required" when a field is left empty', async () => {
    const user = userEvent.setup();
    renderRegister();
    await user.click(screen.getByLabelText('Username'));
    await user.tab();
    expect(screen.getByText('Username is required.')).toBeVisible();
  });
});
