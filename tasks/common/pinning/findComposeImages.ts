import { isMap } from 'yaml';
import { YamlFindings, addStringImage } from './yamlOccurrences';
import { type YamlSource, keyText, mapValue, resolveAlias } from './yamlSource';

/** Compose files: `services.<name>.image`, through YAML anchors and merge keys (`<<: *defaults`). */
export function findComposeImages(source: YamlSource): YamlFindings {
  const findings = new YamlFindings(source);
  for (const doc of source.documents) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const services = mapValue(root, 'services', doc);
    if (!isMap(services)) continue;
    for (const pair of services.items) {
      const name = keyText(pair.key);
      const service = resolveAlias(pair.value, doc);
      if (name === undefined || !isMap(service)) continue;
      const image = mapValue(service, 'image', doc);
      if (image !== undefined) addStringImage(findings, image, doc, `services.${name}.image`);
    }
  }
  return findings;
}
