import { JoinTeamDocument, TeamDocument, TeamProgressDocument, type TeamViewFragment, type UserError } from '@youxianggou/sdk';
import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { client, idempotencyKey, signedIn, useQuery, useSubscription } from '../api';
import { ErrorState, Img, Loading, Page, Price, statusText, UserErrors } from '../ui';

/** A team with its progress live (teamProgress): seats, paid members, the price reached, success. */
export function Team() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { data, error, loading, reload } = useQuery(TeamDocument, { id });
  const [team, setTeam] = useState<TeamViewFragment | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  useEffect(() => setTeam(data?.team ?? null), [data]);
  const invite = params.get('invite');
  useEffect(() => {
    if (invite) localStorage.setItem('yxg.invite', invite); // a share link's invite code, used at sign-up
  }, [invite]);
  const liveError = useSubscription(TeamProgressDocument, { teamId: id }, (d) => setTeam(d.teamProgress), !!data?.team && signedIn());
  if (error) return <Page title="拼团" back><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !team) return <Page title="拼团" back><Loading /></Page>;
  if (!team) return <Page title="拼团" back><ErrorState error="这个团不存在" /></Page>;
  const sku = team.product.skus[0];

  async function join() {
    if (!signedIn()) return navigate(`/me?next=${encodeURIComponent(location.pathname)}`);
    const result = await client.mutate(JoinTeamDocument, { teamId: team!.id, skuId: sku.id, idempotencyKey: idempotencyKey() });
    if (!result.ok) return setErrors([{ code: 'REQUEST', message: result.error.message }]);
    setErrors(result.userErrors);
    if (result.data.joinTeam.order) navigate(`/order/${encodeURIComponent(result.data.joinTeam.order.id)}`);
  }

  return (
    <Page title="拼团" back>
      <section className="panel">
        <div className="row">
          <Img src={team.product.images[0]} alt={team.product.title} size={72} />
          <div>
            <h2>{team.product.title}</h2>
            <div>
              当前价 <Price fen={team.currentPrice.amount} /> {team.nextTier && <span className="muted">· 满 {team.nextTier.size} 人 <Price fen={team.nextTier.price.amount} /></span>}
            </div>
          </div>
        </div>
      </section>
      <section className="panel">
        <h3 data-testid="team-status">{statusText(team.status)}</h3>
        <p>
          已有 <b data-testid="team-size">{team.size}</b> 人 · 成团 {team.minSize} 人 · 最多 {team.maxSize} 人
        </p>
        <ul className="list">
          {team.members.map((m) => (
            <li key={m.user.id}>
              {m.user.nickname} {m.user.id === team.leader.id ? '（团长）' : ''} · {m.paid ? '已付款' : '待付款'}
            </li>
          ))}
        </ul>
        {liveError && <p className="muted">实时进度暂不可用：{liveError.message}</p>}
      </section>
      <UserErrors errors={errors} />
      {team.status === 'OPEN' && (
        <div className="actions">
          <button type="button" className="primary" onClick={join}>
            参团 <Price fen={team.currentPrice.amount} />
          </button>
        </div>
      )}
    </Page>
  );
}
