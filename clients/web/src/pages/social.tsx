import { FeedDocument, FeedUpdatesDocument, LikeLiveDocument, LiveCommentsDocument, LiveRoomDocument, LiveRoomEventsDocument, LiveRoomsDocument, PostDocument, SendLiveCommentDocument, type ActivityItemFragment, type FeedKind, type UserError } from '@youxianggou/sdk';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { client, signedIn, useQuery, useSubscription } from '../api';
import { ErrorState, Loading, Page, Price, statusText, UserErrors } from '../ui';

const VERBS: Record<string, string> = { POSTED: '发布了笔记', BOUGHT: '买了', LIKED: '赞了', COMMENTED: '评论了', JOINED_TEAM: '参加了拼团', STARTED_TEAM: '发起了拼团', WENT_LIVE: '开播了' };

function ActivityRow({ a }: { a: ActivityItemFragment }) {
  return (
    <li>
      <b>{a.actor.nickname}</b> {VERBS[a.verb] ?? a.verb}{' '}
      {a.post && <Link to={`/post/${encodeURIComponent(a.post.id)}`}>{a.post.title}</Link>}
      {a.product && <Link to={`/product/${encodeURIComponent(a.product.id)}`}>{a.product.title}</Link>}
      {a.team && <Link to={`/team/${encodeURIComponent(a.team.id)}`}>拼团</Link>}
      {a.liveRoom && <Link to={`/live/${encodeURIComponent(a.liveRoom.id)}`}>{a.liveRoom.title}</Link>}
    </li>
  );
}

/** The friends', following and discover feeds; new activity arrives live (feedUpdates). */
export function Feed() {
  const [kind, setKind] = useState<FeedKind>(signedIn() ? 'FRIENDS' : 'DISCOVER');
  const { data, error, loading, reload } = useQuery(FeedDocument, { kind, first: 20 });
  const [fresh, setFresh] = useState<ActivityItemFragment[]>([]);
  useEffect(() => setFresh([]), [kind]);
  useSubscription(FeedUpdatesDocument, {}, (d) => setFresh((f) => [d.feedUpdates, ...f]), signedIn() && kind !== 'DISCOVER');
  const tabs: [FeedKind, string][] = [['FRIENDS', '好友'], ['FOLLOWING', '关注'], ['DISCOVER', '发现']];
  return (
    <Page title="动态">
      <div className="chips pad">
        {tabs.map(([k, label]) => (
          <button key={k} type="button" className={k === kind ? 'chip on' : 'chip'} onClick={() => setKind(k)} disabled={k !== 'DISCOVER' && !signedIn()}>
            {label}
          </button>
        ))}
      </div>
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : (
        <ul className="list">
          {fresh.map((a) => <ActivityRow key={`live-${a.id}`} a={a} />)}
          {data?.feed.edges.map((e) => <ActivityRow key={e.node.id} a={e.node} />)}
          {!fresh.length && !data?.feed.edges.length && <li className="state">暂无动态</li>}
        </ul>
      )}
    </Page>
  );
}

export function Post() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(PostDocument, { id });
  if (error) return <Page title="笔记" back><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title="笔记" back><Loading /></Page>;
  const post = data?.post;
  if (!post) return <Page title="笔记" back><ErrorState error="笔记不存在" /></Page>;
  return (
    <Page title="笔记" back>
      <section className="panel">
        <h2>{post.title}</h2>
        <p className="muted">{post.author.nickname} · 赞 {post.likeCount} · 评论 {post.commentCount}</p>
        <p>{post.body}</p>
        {post.products.map((p) => (
          <p key={p.id}>
            <Link to={`/product/${encodeURIComponent(p.id)}`}>{p.title}</Link> <Price fen={p.price.amount} />
          </p>
        ))}
      </section>
      <ul className="list">
        {post.comments.edges.map(({ node: c }) => (
          <li key={c.id}>
            <b>{c.author.nickname}</b>：{c.body}
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function LiveList() {
  const { data, error, loading, reload } = useQuery(LiveRoomsDocument, { first: 20 });
  return (
    <Page title="直播">
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : (
        <ul className="list">
          {!data?.liveRooms.edges.length && <li className="state">暂无直播</li>}
          {data?.liveRooms.edges.map(({ node: r }) => (
            <li key={r.id}>
              <Link to={`/live/${encodeURIComponent(r.id)}`}>
                {r.title} · {r.host.nickname} · <span className="tag">{statusText(r.status)}</span> · {r.viewerCount} 人在看
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

interface Comment { id: string; body: string; author: { nickname: string } }

/** A live room: comments and likes arrive live (liveComments, liveRoomEvents); signed-in viewers send them. */
export function LiveRoom() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(LiveRoomDocument, { id });
  const [comments, setComments] = useState<Comment[]>([]);
  const [viewers, setViewers] = useState<number | null>(null);
  const [likes, setLikes] = useState<number | null>(null);
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  useEffect(() => setComments(data?.liveRoom?.recentComments ?? []), [data]);
  const live = data?.liveRoom?.status === 'LIVE';
  useSubscription(LiveCommentsDocument, { roomId: id }, (d) => setComments((c) => (c.some((x) => x.id === d.liveComments.id) ? c : [...c, d.liveComments].slice(-100))), live);
  useSubscription(LiveRoomEventsDocument, { roomId: id }, (d) => {
    const e = d.liveRoomEvents;
    if (e.__typename === 'ViewerCountChanged') setViewers(e.viewerCount);
    if (e.__typename === 'LikesAdded') setLikes(e.likeCount);
  }, live);
  if (error) return <Page title="直播间" back><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title="直播间" back><Loading /></Page>;
  const room = data?.liveRoom;
  if (!room) return <Page title="直播间" back><ErrorState error="直播间不存在" /></Page>;

  async function send(e: FormEvent) {
    e.preventDefault();
    const result = await client.mutate(SendLiveCommentDocument, { roomId: id, body });
    if (!result.ok) return setErrors([{ code: 'REQUEST', message: result.error.message }]);
    setErrors(result.userErrors);
    if (!result.userErrors.length) setBody('');
  }

  return (
    <Page title={room.title} back>
      <section className="panel live">
        <div className="row">
          <span className="tag">{statusText(room.status)}</span> 主播 {room.host.nickname} · <span data-testid="viewers">{viewers ?? room.viewerCount}</span> 人在看 · 赞 {likes ?? room.likeCount}
        </div>
        {room.pinnedProduct && (
          <p>
            正在讲解：<Link to={`/product/${encodeURIComponent(room.pinnedProduct.id)}`}>{room.pinnedProduct.title}</Link> <Price fen={room.pinnedProduct.price.amount} />
          </p>
        )}
      </section>
      <ul className="list comments" data-testid="comments">
        {comments.map((c) => (
          <li key={c.id}>
            <b>{c.author.nickname}</b>：{c.body}
          </li>
        ))}
      </ul>
      <UserErrors errors={errors} />
      {signedIn() && live && (
        <form className="actions" onSubmit={send}>
          <input value={body} onChange={(e) => setBody(e.target.value)} placeholder="说点什么…" aria-label="评论" required />
          <button type="submit" className="primary">发送</button>
          <button type="button" onClick={() => client.mutate(LikeLiveDocument, { roomId: id, count: 1 })} aria-label="点赞">♥</button>
        </form>
      )}
    </Page>
  );
}
