/** One sample of a service's /metrics (management port): the value of `name` with these labels, 0 when absent. */
export async function metricValue(
  managementUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${managementUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text
    .split('\n')
    .find((candidate) => new RegExp(`^${name}(\\{|\\s)`).test(candidate) && wanted.every((l) => candidate.includes(l)));
  return line ? Number(line.split(' ').pop()) : 0;
}
