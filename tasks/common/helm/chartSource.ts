import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { parseOciLocation, type OciLocation } from './ociLocation';
import { assertNoLinksLeaving } from '../files';

/** Where `helm upgrade` takes the chart from. */
export type ChartSource =
  | { readonly kind: 'folder' | 'archive'; readonly path: string }
  | { readonly kind: 'oci'; readonly url: string; readonly location: OciLocation }
  | { readonly kind: 'repository'; readonly name: string; readonly repositoryUrl: string };

/**
 * Reads the `chart` input: a folder, a `.tgz`, `oci://host/path/name`, or a chart name (`name` or
 * `repo/name`) with `repositoryUrl`. Paths are resolved against `baseDir`.
 */
export function chartSource(chart: string, repositoryUrl: string | undefined, baseDir: string): ChartSource {
  if (/^oci:\/\//i.test(chart)) {
    if (repositoryUrl) throw new UserError("An oci:// chart needs no 'repositoryUrl': remove one of them.");
    return { kind: 'oci', url: chart, location: parseOciLocation(chart, "Input 'chart'") };
  }
  if (repositoryUrl) {
    let url: URL;
    try {
      url = new URL(repositoryUrl);
    } catch {
      throw new UserError(`Input 'repositoryUrl' (${repositoryUrl}) is not a URL.`);
    }
    if (url.username || url.password) {
      // It would reach helm's command line, the log and the summary.
      throw new UserError(
        "Input 'repositoryUrl' must not carry credentials: publish the chart to an OCI registry and use 'registryConnection'.",
      );
    }
    const name = chart.includes('/') ? chart.slice(chart.lastIndexOf('/') + 1) : chart;
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
      throw new UserError(`Input 'chart' (${chart}) is not a chart name.`);
    return { kind: 'repository', name, repositoryUrl };
  }
  const resolved = path.resolve(baseDir, chart);
  if (fs.existsSync(resolved)) {
    if (fs.statSync(resolved).isDirectory()) {
      if (!fs.existsSync(path.join(resolved, 'Chart.yaml'))) {
        throw new UserError(`The chart folder ${resolved} has no Chart.yaml.`);
      }
      assertNoLinksLeaving(resolved, 'chart');
      return { kind: 'folder', path: resolved };
    }
    return { kind: 'archive', path: resolved };
  }
  throw new UserError(
    `Input 'chart' (${chart}) is neither a folder nor a file (${resolved} does not exist), nor oci://...; ` +
      "for a chart from a chart repository, give 'repositoryUrl' too.",
  );
}

/** The chart argument and flags of `helm upgrade`. */
export function chartArgs(source: ChartSource): string[] {
  switch (source.kind) {
    case 'folder':
    case 'archive':
      return [source.path];
    case 'oci':
      return [source.url];
    case 'repository':
      return [source.name, `--repo=${source.repositoryUrl}`];
  }
}

/** What the log and summary call the chart. */
export function describeChart(source: ChartSource): string {
  switch (source.kind) {
    case 'folder':
    case 'archive':
      return source.path;
    case 'oci':
      return source.url;
    case 'repository':
      return `${source.name} from ${source.repositoryUrl}`;
  }
}
