import { PageTitle } from '../../ui';
import { TopOfLeaderboard } from '../home/HomePage';

export function LeaderboardPage() {
  return (
    <>
      <PageTitle>Leaderboard</PageTitle>
      <p>Who solved the most exercises.</p>
      <TopOfLeaderboard limit={100} />
    </>
  );
}
