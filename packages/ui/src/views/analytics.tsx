/**
 * @module views/analytics
 * The integration analytics dashboard (admins and owners): totals — calls,
 * error rate, p95 latency, data and files moved, active users — charts of
 * calls (errors stacked) and p95 latency over time, and a table per
 * integration with its errors by kind. Period and integration are chosen above.
 */
import type { AnalyticsBucket, UsageTotals, Workspace } from '@ferry/core';
import { useState } from 'react';
import { ErrorMessage } from '../components/error-message.js';
import { UsageChart } from '../components/usage-chart.js';
import { formatBytes } from '../format.js';
import { useApi, useLoader } from '../hooks/use-api.js';

const periods = {
  day: { label: 'Last 24 hours', hours: 24, bucket: 'hour' },
  week: { label: 'Last 7 days', hours: 7 * 24, bucket: 'hour' },
  month: { label: 'Last 30 days', hours: 30 * 24, bucket: 'day' },
} as const satisfies Record<string, { label: string; hours: number; bucket: AnalyticsBucket }>;
type Period = keyof typeof periods;

const formatCount = (value: number) => Math.round(value).toLocaleString('en');
const formatMs = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const formatPercent = (rate: number) => `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1)}%`;

function formatBucketTime(at: string, bucket: AnalyticsBucket): string {
  const date = new Date(at);
  return bucket === 'day'
    ? date.toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' })
    : date.toLocaleString('en', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
}

function Totals({ totals }: { totals: UsageTotals }) {
  const cells: [string, string][] = [
    ['Calls', formatCount(totals.calls)],
    ['Error rate', formatPercent(totals.errorRate)],
    ['p95 latency', totals.p95Ms === null ? '—' : formatMs(totals.p95Ms)],
    ['Data moved', formatBytes(totals.bytesIn + totals.bytesOut)],
    ['Files moved', formatCount(totals.files)],
    ['Active users', formatCount(totals.activeUsers)],
  ];
  return (
    <dl className="stat-grid" aria-label="Totals">
      {cells.map(([label, value]) => (
        <div key={label} className="stat">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AnalyticsView({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const [period, setPeriod] = useState<Period>('day');
  const [integration, setIntegration] = useState('');
  const catalog = useLoader((signal) => client.call('listMarketplace', { signal }), [client]);
  const chosen = periods[period];
  const report = useLoader(
    (signal) =>
      client.call('getAnalytics', {
        params: { workspaceId: workspace.id },
        query: { bucket: chosen.bucket, from: new Date(Date.now() - chosen.hours * 3600_000).toISOString(), ...(integration === '' ? {} : { integration }) },
        signal,
      }),
    [client, workspace.id, period, integration],
  );
  const data = report.data;
  const names = new Map((catalog.data?.items ?? []).map((entry) => [entry.id, entry.name]));
  const time = (at: string) => formatBucketTime(at, chosen.bucket);

  return (
    <section aria-label="Analytics" className="view">
      <header className="view-header">
        <h1>Integration analytics</h1>
        <div className="toolbar">
          <label>
            Period{' '}
            <select value={period} onChange={(event) => setPeriod(event.target.value as Period)}>
              {Object.entries(periods).map(([key, value]) => (
                <option key={key} value={key}>
                  {value.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Integration{' '}
            <select value={integration} onChange={(event) => setIntegration(event.target.value)}>
              <option value="">All integrations</option>
              {(catalog.data?.items ?? []).map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={report.reload}>
            Refresh
          </button>
        </div>
      </header>
      <ErrorMessage error={report.error} />
      {data === undefined ? (
        report.loading ? <p className="muted">Loading…</p> : null
      ) : (
        <>
          <Totals totals={data.totals} />
          {data.totals.calls === 0 ? <p className="empty">No integration calls in this period.</p> : null}
          <div className="chart-grid">
            <UsageChart
              title="Calls over time"
              kind="bar"
              points={data.points.map((point) => ({ at: point.at, value: point.calls, part: point.errors }))}
              format={formatCount}
              valueLabel="Calls"
              partLabel="Errors"
              formatTime={time}
            />
            <UsageChart title="p95 latency over time" kind="line" points={data.points.map((point) => ({ at: point.at, value: point.p95Ms }))} format={formatMs} valueLabel="p95" formatTime={time} />
          </div>
          <h2 className="section-title">By integration</h2>
          {data.integrations.length === 0 ? (
            <p className="muted">Nothing to show yet.</p>
          ) : (
            <table className="table" aria-label="Usage by integration">
              <thead>
                <tr>
                  <th scope="col">Integration</th>
                  <th scope="col" className="numeric">Calls</th>
                  <th scope="col" className="numeric">Error rate</th>
                  <th scope="col">Errors by kind</th>
                  <th scope="col" className="numeric">p50</th>
                  <th scope="col" className="numeric">p95</th>
                  <th scope="col" className="numeric">Data in / out</th>
                  <th scope="col" className="numeric">Files</th>
                  <th scope="col" className="numeric">Active users</th>
                </tr>
              </thead>
              <tbody>
                {data.integrations.map((usage) => (
                  <tr key={usage.integration}>
                    <th scope="row">{names.get(usage.integration) ?? usage.integration}</th>
                    <td className="numeric">{formatCount(usage.calls)}</td>
                    <td className="numeric">{formatPercent(usage.errorRate)}</td>
                    <td>
                      {Object.entries(usage.errorsByKind)
                        .map(([kind, count]) => `${kind} ${count}`)
                        .join(', ') || '—'}
                    </td>
                    <td className="numeric">{usage.p50Ms === null ? '—' : formatMs(usage.p50Ms)}</td>
                    <td className="numeric">{usage.p95Ms === null ? '—' : formatMs(usage.p95Ms)}</td>
                    <td className="numeric">
                      {formatBytes(usage.bytesIn)} / {formatBytes(usage.bytesOut)}
                    </td>
                    <td className="numeric">{formatCount(usage.files)}</td>
                    <td className="numeric">{formatCount(usage.activeUsers)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">Usage is kept for {data.retentionDays} days. Times are UTC.</p>
        </>
      )}
    </section>
  );
}
