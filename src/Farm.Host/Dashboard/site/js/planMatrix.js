// A plan's matrix as the plan page draws it (pure, no DOM): rows are architectures, columns are
// configurations, each cell the builds of that pair. The same rows and columns as `kfarm plan show`.

/** A build's configuration: its kconfig items joined with '+' ("tinyconfig+CONFIG_FAKE_BROKEN=y"). */
export const configOf = (build) => (build.kconfig ?? []).join('+') || 'defconfig';

/**
 * {columns: [{key, toolchain, config}], rows: [{arch, cells: [{key, builds: [build]}]}]} from a
 * PlanView. Rows and columns keep the plan file's order (first appearance). A column is the config
 * alone, or "toolchain:config" when the plan uses more than one toolchain, so two toolchains never
 * share a cell; builds that still share one (the same pair in two plan jobs) are listed in it.
 */
export function planMatrix(plan) {
  const builds = plan?.builds ?? [];
  const toolchains = new Set(builds.map(b => b.toolchain));
  const keyOf = (b) => (toolchains.size > 1 ? `${b.toolchain}:${configOf(b)}` : configOf(b));

  const columns = new Map();
  const rows = new Map();
  for (const b of builds) {
    const key = keyOf(b);
    if (!columns.has(key)) columns.set(key, { key, toolchain: b.toolchain, config: configOf(b) });
    if (!rows.has(b.target_arch)) rows.set(b.target_arch, new Map());
    const row = rows.get(b.target_arch);
    if (!row.has(key)) row.set(key, []);
    row.get(key).push(b);
  }
  return {
    columns: [...columns.values()],
    rows: [...rows.entries()].map(([arch, cells]) => ({
      arch,
      cells: [...columns.keys()].map(key => ({ key, builds: cells.get(key) ?? [] })),
    })),
  };
}
