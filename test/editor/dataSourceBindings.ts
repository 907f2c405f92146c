// Resolves a task.json data source binding the way Azure DevOps does when the classic editor asks
// for a picker's values: `$(input)` macros from the other inputs, then the endpoint URL template
// with `{{endpoint.url}}`, `{{endpoint.subscriptionId}}` and the paging context, a GET with the
// connection's bearer token, `resultSelector` over the answer, `resultTemplate` per item (a JSON
// `{ "Value", "DisplayValue" }` object or plain text), and the callback templates for the next
// page. The editor shows each value once. A binding whose inputs are not all filled is not asked.
import https from 'node:https';
import { renderTemplate, selectJsonPath } from './bindingTemplate';

export interface DataSourceBinding {
  readonly target: string;
  readonly endpointId: string;
  readonly endpointUrl?: string;
  readonly dataSourceName?: string;
  readonly resultSelector?: string;
  readonly resultTemplate?: string;
  readonly initialContextTemplate?: string;
  readonly callbackContextTemplate?: string;
  readonly callbackRequiredTemplate?: string;
}

export interface BindingEndpoint {
  /** The AzureRM connection's URL, e.g. `https://management.azure.com/`. */
  readonly url: string;
  readonly subscriptionId: string;
  /** What the service signs in with on the connection's behalf. */
  readonly accessToken: string;
  /** CA certificate to trust (the emulator's). */
  readonly ca?: string;
}

export interface Offer {
  readonly value: string;
  readonly displayValue: string;
}

const MACRO = /\$\(([A-Za-z0-9_.]+)\)/g;
const MAX_PAGES = 50;

/** Inputs the binding needs filled before the editor asks for values (its `$(name)` macros). */
export function bindingDependsOn(binding: DataSourceBinding): string[] {
  const text = `${binding.endpointUrl ?? ''} ${binding.endpointId}`;
  return [...text.matchAll(MACRO)].map((m) => m[1] ?? '');
}

function getJson(url: string, endpoint: BindingEndpoint): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        headers: { authorization: `Bearer ${endpoint.accessToken}`, accept: 'application/json' },
        ca: endpoint.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200)
            return reject(new Error(`GET ${url} answered ${res.statusCode}: ${body}`));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`GET ${url} answered no JSON: ${body.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
  });
}

function offerOf(item: unknown, template: string | undefined): Offer {
  const text = template === undefined ? JSON.stringify(item) : renderTemplate(template, item).trim();
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as { Value?: string; DisplayValue?: string };
    const value = parsed.Value ?? '';
    return { value, displayValue: parsed.DisplayValue ?? value };
  }
  return { value: text, displayValue: text };
}

/** The values the editor would offer for the binding's target input. */
export async function resolveBinding(
  binding: DataSourceBinding,
  endpoint: BindingEndpoint,
  inputs: Readonly<Record<string, string>>,
): Promise<Offer[]> {
  if (binding.dataSourceName)
    throw new Error(
      `binding of '${binding.target}' names data source '${binding.dataSourceName}', whose definition lives in the service: give endpointUrl instead`,
    );
  if (!binding.endpointUrl) throw new Error(`binding of '${binding.target}' has no endpointUrl`);
  const missing = bindingDependsOn(binding).filter((name) => !inputs[name]);
  if (missing.length > 0) return [];
  const withInputs = binding.endpointUrl.replace(MACRO, (_, name: string) => inputs[name] ?? '');
  let context = JSON.parse(renderTemplate(binding.initialContextTemplate ?? '{}', {})) as Record<
    string,
    unknown
  >;
  const offers = new Map<string, Offer>();
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= MAX_PAGES) throw new Error(`binding of '${binding.target}': more than ${MAX_PAGES} pages`);
    const url = renderTemplate(withInputs, {
      ...context,
      endpoint: { url: endpoint.url, subscriptionId: endpoint.subscriptionId },
    });
    const response = await getJson(url, endpoint);
    const items = binding.resultSelector ? selectJsonPath(binding.resultSelector, response) : [response];
    for (const item of items) {
      const offer = offerOf(item, binding.resultTemplate);
      if (offer.value && !offers.has(offer.value)) offers.set(offer.value, offer);
    }
    if (!binding.callbackRequiredTemplate || !binding.callbackContextTemplate) break;
    if (renderTemplate(binding.callbackRequiredTemplate, { response }).trim() !== 'true') break;
    context = JSON.parse(renderTemplate(binding.callbackContextTemplate, { response })) as Record<
      string,
      unknown
    >;
  }
  return [...offers.values()];
}
