import { ShopDashboardDocument, type DashboardGranularity, type ShopMetric } from '@youxianggou/sdk';
import { BarChart, FunnelChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '../api';
import { ErrorState, Loading, UserErrors, yuan } from '../ui';

// Only the charts used here are bundled (echarts/core), and this page is its own chunk of the console's.
echarts.use([LineChart, BarChart, FunnelChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const LABEL: Partial<Record<ShopMetric, string>> = {
  GMV: '成交额',
  NET_SALES: '净销售额',
  ORDERS: '订单数',
  PAYING_BUYERS: '付款人数',
  VISITORS: '访客数',
  CONVERSION_RATE: '转化率',
};
const MONEY: ShopMetric[] = ['GMV', 'NET_SALES'];

function show(metric: ShopMetric, value: number | null | undefined): string {
  if (value == null) return '—';
  if (MONEY.includes(metric)) return yuan(value);
  if (metric === 'CONVERSION_RATE') return `${(value * 100).toFixed(1)}%`;
  return String(Math.round(value * 100) / 100);
}

function Chart({ option, height = 260, label }: { option: echarts.EChartsCoreOption; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(ref.current!);
    chart.setOption(option);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => (window.removeEventListener('resize', resize), chart.dispose());
  }, [option]);
  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} />;
}

const RANGES: [string, number, DashboardGranularity][] = [
  ['今天', 1, 'HOUR'],
  ['近 7 天', 7, 'DAY'],
  ['近 30 天', 30, 'DAY'],
];

/** The shop's dashboard: the main figures against the previous period, sales over time, the funnel, top products. */
export default function Dashboard({ shopId }: { shopId: string }) {
  const [range, setRange] = useState(1);
  const [, days, granularity] = RANGES[range];
  const [to] = useState(() => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000));
  const from = new Date(to.getTime() - days * 86_400_000);
  const { data, error, loading, reload } = useQuery(ShopDashboardDocument, { shopId, from: from.toISOString(), to: to.toISOString(), granularity });
  const result = data?.shopDashboard;
  const d = result?.dashboard;
  const byMetric = new Map(d?.metrics.map((m) => [m.metric, m]) ?? []);
  const labels = d?.buckets.map((b) => new Date(b).toLocaleString('zh-CN', granularity === 'HOUR' ? { hour: '2-digit' } : { month: 'numeric', day: 'numeric' })) ?? [];
  return (
    <section className="dashboard">
      <div className="chips pad">
        {RANGES.map(([label], i) => (
          <button key={label} type="button" className={i === range ? 'chip on' : 'chip'} onClick={() => setRange(i)}>
            {label}
          </button>
        ))}
      </div>
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : !d ? <UserErrors errors={result?.errors ?? [{ code: 'FORBIDDEN', message: '看不到这家店的数据' }]} /> : (
        <>
          <div className="figures">
            {d.metrics.map((m) => (
              <div key={m.metric} className="panel figure" data-testid="figure">
                <div className="muted">{LABEL[m.metric] ?? m.metric}</div>
                <strong>{show(m.metric, m.total)}</strong>
                <div className="muted">{m.change == null ? '上期 ' + show(m.metric, m.previous) : `较上期 ${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%`}</div>
              </div>
            ))}
          </div>
          <div className="panel">
            <h3>成交额与订单</h3>
            <Chart
              label="成交额与订单数"
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0, data: ['成交额（元）', '订单数'] },
                grid: { left: 48, right: 40, top: 36, bottom: 28 },
                xAxis: { type: 'category', data: labels },
                yAxis: [{ type: 'value' }, { type: 'value', minInterval: 1 }],
                series: [
                  { name: '成交额（元）', type: 'line', smooth: true, data: (byMetric.get('GMV')?.values ?? []).map((v) => (v == null ? null : v / 100)) },
                  { name: '订单数', type: 'bar', yAxisIndex: 1, data: byMetric.get('ORDERS')?.values ?? [] },
                ],
              }}
            />
          </div>
          <div className="panel">
            <h3>转化漏斗</h3>
            <Chart
              label="转化漏斗"
              height={220}
              option={{
                tooltip: { trigger: 'item' },
                series: [{ type: 'funnel', left: '10%', width: '80%', sort: 'none', label: { formatter: '{b}：{c}' }, data: [
                  { name: '访客', value: d.funnel.visitors },
                  { name: '浏览商品', value: d.funnel.productViewers },
                  { name: '下单', value: d.funnel.placedBuyers },
                  { name: '付款', value: d.funnel.paidBuyers },
                ] }],
              }}
            />
          </div>
          <div className="panel">
            <h3>热销商品</h3>
            <table className="table">
              <thead><tr><th>商品</th><th>件数</th><th>成交额</th></tr></thead>
              <tbody>
                {d.topProducts.length === 0 && <tr><td colSpan={3} className="muted">这段时间还没有成交</td></tr>}
                {d.topProducts.map((p) => <tr key={p.productId}><td>{p.product?.title ?? p.productId}</td><td>{p.units}</td><td>{yuan(p.gmv)}</td></tr>)}
              </tbody>
            </table>
            <p className="muted">时区 {d.timeZone}</p>
          </div>
        </>
      )}
    </section>
  );
}
