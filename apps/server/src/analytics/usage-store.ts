/**
 * @module analytics/usage-store
 * The database side of integration analytics: hourly usage rows, merged with
 * what the recorder flushes (one transaction per flush, whatever the number of
 * calls), read back for reports, and pruned past the retention period.
 */
import type { ServerContext } from '../context.js';
import { bucketFromRow, bucketKey, mergeBuckets, rowFromBucket, type UsageBucket } from './usage-bucket.js';

/** Adds the buckets to the stored rows (creating the missing ones) in one transaction. */
export async function mergeIntoStore(ctx: ServerContext, buckets: readonly UsageBucket[]): Promise<void> {
  if (buckets.length === 0) return;
  await ctx.db.transaction().execute(async (trx) => {
    const byWorkspaceAndHour = new Map<string, UsageBucket[]>();
    for (const bucket of buckets) {
      const group = `${bucket.workspaceId}\n${bucket.bucketStart}`;
      byWorkspaceAndHour.set(group, [...(byWorkspaceAndHour.get(group) ?? []), bucket]);
    }
    for (const group of byWorkspaceAndHour.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const stored = await trx
        .selectFrom('integration_usage')
        .selectAll()
        .where('workspace_id', '=', first.workspaceId)
        .where('bucket_start', '=', first.bucketStart)
        .execute();
      const existing = new Map(stored.map((row) => [bucketKey(bucketFromRow(row)), bucketFromRow(row)]));
      for (const bucket of group) {
        const found = existing.get(bucketKey(bucket));
        if (found === undefined) {
          await trx.insertInto('integration_usage').values(rowFromBucket(bucket)).execute();
          continue;
        }
        mergeBuckets(found, bucket);
        const { workspace_id, bucket_start, integration, operation, ...values } = rowFromBucket(found);
        await trx
          .updateTable('integration_usage')
          .set(values)
          .where('workspace_id', '=', workspace_id)
          .where('bucket_start', '=', bucket_start)
          .where('integration', '=', integration)
          .where('operation', '=', operation)
          .execute();
      }
    }
  });
}

export interface UsageQuery {
  workspaceId: string;
  integration?: string | undefined;
  /** Hour starts (ISO), from inclusive, to exclusive. */
  fromHour: string;
  toHour: string;
}

export async function readUsage(ctx: ServerContext, query: UsageQuery): Promise<UsageBucket[]> {
  let select = ctx.db
    .selectFrom('integration_usage')
    .selectAll()
    .where('workspace_id', '=', query.workspaceId)
    .where('bucket_start', '>=', query.fromHour)
    .where('bucket_start', '<', query.toHour);
  if (query.integration !== undefined) select = select.where('integration', '=', query.integration);
  const rows = await select.orderBy('bucket_start').execute();
  return rows.map(bucketFromRow);
}

/** Deletes usage older than the retention period; answers how many hourly rows went. */
export async function pruneUsage(ctx: ServerContext, retentionDays = ctx.config.analyticsRetentionDays): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - retentionDays * 24 * 3600_000).toISOString();
  const result = await ctx.db.deleteFrom('integration_usage').where('bucket_start', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Every workspace's usage from the hour `fromHour` on (the active-users gauge of /metrics). */
export async function readRecentUsage(ctx: ServerContext, fromHour: string): Promise<UsageBucket[]> {
  const rows = await ctx.db.selectFrom('integration_usage').selectAll().where('bucket_start', '>=', fromHour).execute();
  return rows.map(bucketFromRow);
}
