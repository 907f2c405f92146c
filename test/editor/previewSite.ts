// Writes the classic-editor preview of every shipped task (<dir>/<TaskFolder>.html), pickers filled
// by resolving the task's data source bindings against the ARM emulator.
import fs from 'node:fs';
import path from 'node:path';
import type { ArmEmulator } from '../emulators/armEmulator';
import { resolveBinding } from './dataSourceBindings';
import { CONNECTION_ID, bindingEndpoint, shippedTasks, type TaskJson } from './editorEnvironment';
import { dependencyOf, renderPreview, type PreviewOffers } from './previewPage';

export async function previewOffers(task: TaskJson, arm: ArmEmulator): Promise<PreviewOffers> {
  const endpoint = bindingEndpoint(arm);
  const bindings = task.dataSourceBindings ?? [];
  const offers: PreviewOffers = {};
  const connectionOf = (endpointId: string) => ({
    [endpointId.replace(/^\$\((.*)\)$/, '$1')]: CONNECTION_ID,
  });
  for (const binding of bindings) {
    const dependsOn = dependencyOf(binding.endpointUrl);
    if (!dependsOn) {
      offers[binding.target] = {
        lists: { '': await resolveBinding(binding, endpoint, connectionOf(binding.endpointId)) },
      };
      continue;
    }
    const parent = bindings.find((b) => b.target === dependsOn);
    const parentValues = parent
      ? (await resolveBinding(parent, endpoint, connectionOf(parent.endpointId))).map((o) => o.value)
      : [];
    const lists: PreviewOffers[string]['lists'] = {};
    for (const value of parentValues)
      lists[value] = await resolveBinding(binding, endpoint, {
        ...connectionOf(binding.endpointId),
        [dependsOn]: value,
      });
    offers[binding.target] = { dependsOn, lists };
  }
  return offers;
}

/** Writes one page per task; returns the task folder names and the files written. */
export async function writePreviewSite(
  dir: string,
  arm: ArmEmulator,
): Promise<{ folder: string; file: string; task: TaskJson }[]> {
  fs.mkdirSync(dir, { recursive: true });
  const pages = [];
  for (const { folder, task } of shippedTasks()) {
    const file = path.join(dir, `${folder}.html`);
    fs.writeFileSync(file, renderPreview(task, await previewOffers(task, arm)));
    pages.push({ folder, file, task });
  }
  return pages;
}
