import { NavLink } from 'react-router';
import { styles } from '../../ui';

/** Links between the administration pages. */
export function AdminNav() {
  return (
    <nav aria-label="Administration" className={styles.tabs}>
      <NavLink to="/admin/users" end>
        Users
      </NavLink>
      <NavLink to="/admin/exercises">Exercises</NavLink>
    </nav>
  );
}
