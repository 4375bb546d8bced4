import { ApplyTemplateDocument, PageTemplatesDocument, ShopPagesDocument, type UserError } from '@youxianggou/sdk';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { client, useQuery } from '../../api';
import { ErrorState, Loading, UserErrors } from '../../ui';
import { PAGE_NAMES } from './document';

// 店铺装修: the shop's pages (the built-in ones whether saved yet or not, and its landing pages), each with its state.
const BUILT_IN = ['HOME', 'USER_CENTER', 'PRODUCT_DETAIL', 'CATEGORY'] as const;

/** applyTemplate: the vertical's pages become the shop's drafts (nothing is published; old drafts stay as revisions). */
function ApplyTemplate({ shopId, onApplied }: { shopId: string; onApplied: () => void }) {
  const templates = useQuery(PageTemplatesDocument, {});
  const [template, setTemplate] = useState('');
  const [withTheme, setWithTheme] = useState(true);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notes, setNotes] = useState<readonly string[]>([]);
  async function apply(e: FormEvent) {
    e.preventDefault();
    const r = await client.mutate(ApplyTemplateDocument, { input: { shopId, template, withTheme } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', field: null, message: r.error.message }]);
    setErrors(r.userErrors);
    setNotes(r.data.applyTemplate.notes);
    if (!r.userErrors.length) onApplied();
  }
  if (!templates.data) return null;
  return (
    <form className="panel form ship" onSubmit={apply}>
      <h3>套用模板</h3>
      <label>
        行业模板
        <select value={template} onChange={(e) => setTemplate(e.target.value)} required>
          <option value="">选择模板…</option>
          {templates.data.pageTemplates.map((t) => <option key={t.key} value={t.key}>{t.name}</option>)}
        </select>
      </label>
      <label className="row"><input type="checkbox" checked={withTheme} onChange={(e) => setWithTheme(e.target.checked)} /> 同时使用模板的主题色</label>
      <p className="muted">模板的页面保存为草稿，不会直接发布；之前的草稿留在历史版本里。</p>
      <UserErrors errors={errors} />
      {notes.length > 0 && <ul className="list">{notes.map((n) => <li key={n}>{n}</li>)}</ul>}
      <button type="submit">套用</button>
    </form>
  );
}

function when(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleString('zh-CN', { hour12: false }) : '—';
}

export function PageList({ shopId }: { shopId: string }) {
  const { data, error, loading, reload } = useQuery(ShopPagesDocument, { shopId }, false, true);
  const navigate = useNavigate();
  const [slug, setSlug] = useState('');
  if (error) return <ErrorState error={error} retry={reload} />;
  if (loading && !data) return <Loading />;
  const pages = data?.shopPages ?? [];
  const rows = [
    ...BUILT_IN.map((kind) => ({ kind, slug: null as string | null, page: pages.find((p) => p.kind === kind) })),
    ...pages.filter((p) => p.kind === 'LANDING').map((p) => ({ kind: p.kind, slug: p.slug, page: p })),
  ];
  const create = (e: FormEvent) => (e.preventDefault(), navigate(`/console/pages/LANDING/${encodeURIComponent(slug)}`));
  return (
    <>
      <table className="table" aria-label="店铺页面">
        <thead><tr><th>页面</th><th>状态</th><th>更新</th><th>发布</th><th /></tr></thead>
        <tbody>
          {rows.map(({ kind, slug, page }) => (
            <tr key={`${kind}/${slug ?? ''}`} data-testid="page-row">
              <td>{PAGE_NAMES[kind]}{slug ? ` /${slug}` : ''}</td>
              <td>{!page ? '未创建' : !page.publishedRevisionId ? '草稿' : page.publishedRevisionId === page.draftRevisionId ? '已发布' : '有未发布的修改'}</td>
              <td>{when(page?.updatedAt)}</td>
              <td>{when(page?.publishedAt)}</td>
              <td className="row">
                <Link to={`/console/pages/${kind}${slug ? `/${encodeURIComponent(slug)}` : ''}`}>装修</Link>
                {page?.publishedRevisionId && (kind === 'HOME' || kind === 'LANDING') && <Link to={kind === 'HOME' ? `/shop/${encodeURIComponent(shopId)}` : `/shop/${encodeURIComponent(shopId)}/p/${encodeURIComponent(slug!)}`}>查看</Link>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ApplyTemplate shopId={shopId} onApplied={reload} />
      <form className="panel form ship" onSubmit={create}>
        <label>
          新活动页（地址，a-z 0-9 -）
          <input value={slug} onChange={(e) => setSlug(e.target.value)} pattern="[a-z0-9-]{1,40}" required />
        </label>
        <button type="submit">新建活动页</button>
      </form>
    </>
  );
}
