import { NavLink, Outlet, useNavigate } from 'react-router';
import { session } from '../api/session';
import { useNewMessageCount } from '../pages/messages/newMessages';
import styles from './layout.module.css';
import { Flash } from './Flash';
import { useSession } from './useSession';

export function Layout() {
  const { status, user } = useSession();
  const newMessages = useNewMessageCount(status === 'signed-in' ? user?.id : undefined);
  const navigate = useNavigate();
  const signOut = async () => {
    await session.signOut();
    navigate('/', { state: { flash: 'You are logged out.' } });
  };
  return (
    <>
      <a className={styles.skip} href="#main">
        Skip to content
      </a>
      <header className={styles.header}>
        <nav className={styles.nav} aria-label="Main">
          <NavLink to="/" className={styles.brand}>
            Codeyard
          </NavLink>
          <ul className={styles.links}>
            <li>
              <NavLink to="/exercises">Exercises</NavLink>
            </li>
            <li>
              <NavLink to="/posts">Posts</NavLink>
            </li>
            <li>
              <NavLink to="/communities">Communities</NavLink>
            </li>
            <li>
              <NavLink to="/users">Users</NavLink>
            </li>
            <li>
              <NavLink to="/leaderboard">Leaderboard</NavLink>
            </li>
            <li>
              <a href="/docs/">API docs</a>
            </li>
            {status === 'signed-in' && user ? (
              <>
                <li>
                  <NavLink to="/messages">
                    Messages
                    {newMessages > 0 && (
                      <span className={styles.badge}>
                        {newMessages}
                        <span className="visually-hidden"> new</span>
                      </span>
                    )}
                  </NavLink>
                </li>
                {user.admin && (
                  <li>
                    <NavLink to="/admin/users">Admin</NavLink>
                  </li>
                )}
                <li>
                  <NavLink to="/status">{user.username}</NavLink>
                </li>
                <li>
                  <button type="button" className={styles.linkButton} onClick={signOut}>
                    Log out
                  </button>
                </li>
              </>
            ) : status === 'signed-out' ? (
              <>
                <li>
                  <NavLink to="/login">Log in</NavLink>
                </li>
                <li>
                  <NavLink to="/register">Register</NavLink>
                </li>
              </>
            ) : null}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className={styles.main}>
        <Flash />
        <Outlet />
      </main>
      <footer className={styles.footer}>
        Codeyard — learn to code together. <a href="/docs/">API documentation</a>
      </footer>
    </>
  );
}
