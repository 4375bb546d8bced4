import { CheckoutWalletDocument, type UserError } from '@youxianggou/sdk';
import { useQuery } from '../api';
import { ErrorState, UserErrors, yuan } from '../ui';

// At checkout: which of the buyer's coupons to use (at most one shop coupon per shop, and platform coupons) and how
// many points to pay with. The checkout preview prices the choice; its errors on couponIds/points show here.

export interface Spend {
  couponIds: string[];
  points: number;
}

export const NOTHING_SPENT: Spend = { couponIds: [], points: 0 };

/** Whether a preview or checkout error is about what the buyer chose to spend (shown beside the choice). */
export function aboutSpend(error: UserError): boolean {
  return error.field?.[0] === 'input' && (error.field[1] === 'couponIds' || error.field[1] === 'points');
}

export function WalletPicker({ shops, value, onChange, errors }: { shops: readonly { id: string; name: string }[]; value: Spend; onChange: (spend: Spend) => void; errors: readonly UserError[] }) {
  const { data, error, reload } = useQuery(CheckoutWalletDocument, {}, false, true);
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!data) return null;
  const coupons = data.myCoupons.filter((c) => c.usable && (!c.shop || shops.some((s) => s.id === c.shop!.id)));
  const balance = data.me?.points ?? 0;
  const groups = [...shops.map((s) => ({ key: s.id, name: `${s.name}的券`, coupons: coupons.filter((c) => c.shop?.id === s.id), one: true })), { key: 'platform', name: '平台券', coupons: coupons.filter((c) => !c.shop), one: false }];
  const pick = (ids: string[], id: string, on: boolean, one: boolean) => {
    const others = value.couponIds.filter((c) => !ids.includes(c) || (!one && c !== id));
    onChange({ ...value, couponIds: on ? [...others, id] : others });
  };
  const label = (c: (typeof coupons)[number]) => `${c.title}：${c.minSpend.amount ? `满${yuan(c.minSpend.amount)}` : '无门槛'}减${yuan(c.discount.amount)}`;
  const fieldErrors = (name: string) => errors.filter((e) => e.field?.[1] === name);
  return (
    <section className="panel" aria-label="优惠">
      <h3>优惠券</h3>
      {coupons.length === 0 && <p className="muted">没有可用的优惠券</p>}
      {groups.filter((g) => g.coupons.length).map((g) => {
        const ids = g.coupons.map((c) => c.id);
        return (
          <fieldset key={g.key} className="coupon-choice">
            <legend>{g.name}</legend>
            {g.one && (
              <label className="row"><input type="radio" name={`coupon-${g.key}`} checked={!value.couponIds.some((c) => ids.includes(c))} onChange={() => pick(ids, '', false, true)} /> 不使用</label>
            )}
            {g.coupons.map((c) => (
              <label key={c.id} className="row">
                <input type={g.one ? 'radio' : 'checkbox'} name={`coupon-${g.key}`} checked={value.couponIds.includes(c.id)} onChange={(e) => pick(ids, c.id, e.target.checked, g.one)} /> {label(c)}
              </label>
            ))}
          </fieldset>
        );
      })}
      <UserErrors errors={fieldErrors('couponIds')} />
      <h3>积分</h3>
      <label className="row">
        使用积分（共 {balance}）
        <input type="number" inputMode="numeric" min={0} max={balance} value={value.points || ''} disabled={balance === 0} onChange={(e) => onChange({ ...value, points: Math.max(0, Math.floor(Number(e.target.value) || 0)) })} aria-label="使用积分" />
      </label>
      <UserErrors errors={fieldErrors('points')} />
    </section>
  );
}
