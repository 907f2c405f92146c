// What the classic-editor tests share: the shipped tasks' task.json files, and one Azure
// subscription as the ARM emulator shows it, with the bindings resolved against it.
import fs from 'node:fs';
import path from 'node:path';
import { SUBSCRIPTION } from '../support/azureEnvironment';
import { startArmEmulator, type ArmEmulator, type ArmSubscription } from '../emulators/armEmulator';
import { repoRoot } from '../support/tools';
import {
  resolveBinding,
  type BindingEndpoint,
  type DataSourceBinding,
  type Offer,
} from './dataSourceBindings';

export interface TaskInput {
  readonly name: string;
  readonly type: string;
  readonly label: string;
  readonly groupName?: string;
  readonly required?: boolean;
  readonly defaultValue?: string;
  readonly visibleRule?: string;
  readonly helpMarkDown?: string;
  readonly options?: Record<string, string>;
  readonly properties?: Record<string, string>;
}

export interface TaskJson {
  readonly name: string;
  readonly friendlyName: string;
  readonly description: string;
  readonly helpMarkDown?: string;
  readonly helpUrl?: string;
  readonly instanceNameFormat: string;
  readonly version: { Major: number; Minor: number; Patch: number };
  readonly groups?: readonly {
    name: string;
    displayName: string;
    isExpanded?: boolean;
    visibleRule?: string;
  }[];
  readonly inputs: readonly TaskInput[];
  readonly dataSourceBindings?: readonly DataSourceBinding[];
}

export function shippedTasks(): { folder: string; task: TaskJson }[] {
  const dir = path.join(repoRoot(), 'tasks');
  return fs
    .readdirSync(dir)
    .filter((n) => /V\d+$/.test(n) && fs.existsSync(path.join(dir, n, 'task.json')))
    .sort()
    .map((folder) => ({
      folder,
      task: JSON.parse(fs.readFileSync(path.join(dir, folder, 'task.json'), 'utf8')) as TaskJson,
    }));
}

/** The subscription the AzureRM connection names; OTHER_SUBSCRIPTION must never show. */
export const OTHER_SUBSCRIPTION = '0dd0dd00-9999-8888-7777-666655554444';
export const ARM_SUBSCRIPTIONS: readonly ArmSubscription[] = [
  {
    id: SUBSCRIPTION,
    resourceGroups: [
      {
        name: 'rg-shop',
        managedClusters: ['aks-shop', 'aks-shop-canary'],
        registries: ['FabrikamNonProd', 'Fabrikam'],
        keyVaults: ['kv-shop'],
      },
      { name: 'rg-empty' },
      {
        name: 'RG-Data',
        keyVaults: ['kv-data', 'kv-data-reports'],
        registries: [{ name: 'contosochina', loginServer: 'contosochina.azurecr.cn' }],
      },
      { name: 'rg-edge', location: 'northeurope', managedClusters: ['aks-edge'] },
    ],
  },
  {
    id: OTHER_SUBSCRIPTION,
    resourceGroups: [
      { name: 'rg-other', managedClusters: ['aks-other'], registries: ['other'], keyVaults: ['kv-other'] },
    ],
  },
];

export const ARM_TOKEN = 'arm-token-for-the-connection';
export const CONNECTION_ID = 'e0e0e0e0-0000-4000-8000-0000000000ed';

/** Pages of two items, so every list binding has to follow nextLink to see everything. */
export function startEditorArm(): Promise<ArmEmulator> {
  return startArmEmulator({
    subscriptions: ARM_SUBSCRIPTIONS,
    authorized: (t) => t === ARM_TOKEN,
    pageSize: 2,
  });
}

export function bindingEndpoint(arm: ArmEmulator, accessToken = ARM_TOKEN): BindingEndpoint {
  return { url: arm.url, subscriptionId: SUBSCRIPTION, accessToken, ca: arm.server.caPem };
}

/** The values each bound input offers once the inputs it depends on hold the given values. */
export async function offersOf(
  task: TaskJson,
  endpoint: BindingEndpoint,
  inputs: Readonly<Record<string, string>>,
): Promise<Record<string, Offer[]>> {
  const result: Record<string, Offer[]> = {};
  for (const binding of task.dataSourceBindings ?? [])
    result[binding.target] = await resolveBinding(binding, endpoint, inputs);
  return result;
}
