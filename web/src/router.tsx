// Every page of the web client, in one place. Pages live in src/pages/<area>/; a new area adds
// its routes here.
import { createBrowserRouter } from 'react-router';
import { Layout } from './app/Layout';
import { lazyPage } from './app/lazyPage';
import { StatusPage } from './pages/account/StatusPage';
import { AdminUsersPage } from './pages/admin/AdminUsersPage';
import { LoginPage } from './pages/auth/LoginPage';
import { RegisterPage } from './pages/auth/RegisterPage';
import { NotFoundPage } from './pages/errors/NotFoundPage';
import { ExercisePage } from './pages/exercises/ExercisePage';
import { ExercisesPage } from './pages/exercises/ExercisesPage';
import { HomePage } from './pages/home/HomePage';
import { LeaderboardPage } from './pages/leaderboard/LeaderboardPage';
import { MessagesPage } from './pages/messages/MessagesPage';
import { CommunitiesPage } from './pages/posts/CommunitiesPage';
import { NewPostPage } from './pages/posts/NewPostPage';
import { PostPage } from './pages/posts/PostPage';
import { CommunityPage, PostsPage } from './pages/posts/PostsPage';
import { UserPage } from './pages/users/UserPage';
import { UsersPage } from './pages/users/UsersPage';

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/login', element: <LoginPage /> },
      { path: '/register', element: <RegisterPage /> },
      { path: '/status', element: <StatusPage /> },
      { path: '/users', element: <UsersPage /> },
      { path: '/users/:id', element: <UserPage /> },
      { path: '/messages', element: <MessagesPage /> },
      { path: '/admin/users', element: <AdminUsersPage /> },
      // Admin-only pages with the code editor: loaded when opened, not with `/`.
      { path: '/admin/exercises', element: lazyPage(() => import('./pages/admin/AdminExercisesPage').then((m) => m.AdminExercisesPage)) },
      { path: '/admin/exercises/new', element: lazyPage(() => import('./pages/admin/ExerciseEditorPages').then((m) => m.NewExercisePage)) },
      { path: '/admin/exercises/:id', element: lazyPage(() => import('./pages/admin/ExerciseEditorPages').then((m) => m.EditExercisePage)) },
      { path: '/leaderboard', element: <LeaderboardPage /> },
      { path: '/exercises', element: <ExercisesPage /> },
      { path: '/exercises/:id', element: <ExercisePage /> },
      { path: '/communities', element: <CommunitiesPage /> },
      { path: '/communities/:name', element: <CommunityPage /> },
      { path: '/posts', element: <PostsPage /> },
      { path: '/posts/new', element: <NewPostPage /> },
      { path: '/posts/:id', element: <PostPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
