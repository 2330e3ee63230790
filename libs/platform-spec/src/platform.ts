import { z } from 'zod';
import { Environment } from './environment.js';
import { describePlacement, namesEnvironment, runsIn, servicesIn } from './placement.js';
import { Service } from './service.js';
import { SloPolicy } from './slo-policy.js';

/**
 * Every service and environment together, with the checks that need both: duplicates, unknown dependencies,
 * replicas for unknown environments, data tier backups, and where each service runs: its environments must exist,
 * what it depends on must run wherever it runs, and it may give replicas only where it runs.
 */
export const Platform = z
  .strictObject({
    services: z.array(Service),
    environments: z.array(Environment).min(1),
    /**
     * How every SLO becomes rules and alerts (period, burn tiers, low-traffic guard, absent-metric alert,
     * scrape interval, link bases). Left out, the SloPolicy defaults apply; a policy handed to the monitoring
     * generator (`cios-monitoring generate --policy FILE`) overrides it field by field.
     */
    sloPolicy: SloPolicy.optional(),
  })
  .superRefine((p, ctx) => {
    reportDuplicates(
      p.services.map((s) => s.name),
      'services',
      'service',
      ctx,
    );
    reportDuplicates(
      p.environments.map((e) => e.name),
      'environments',
      'environment',
      ctx,
    );
    const servicesByName = new Map(p.services.map((s) => [s.name, s]));
    const envNames = new Set(p.environments.flatMap((e) => [e.name, e.kind]));
    p.services.forEach((service, i) => {
      service.dependsOn.forEach((dep, j) => {
        const callee = servicesByName.get(dep);
        if (callee === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'dependsOn', j],
            message: `${service.name} depends on "${dep}", which is not a service in the catalog`,
          });
        } else if (dep === service.name) {
          ctx.addIssue({ code: 'custom', path: ['services', i, 'dependsOn', j], message: 'a service cannot depend on itself' });
        } else {
          reportCalleeMissing(service, callee, p.environments, ['services', i, 'dependsOn', j], ctx);
        }
      });
      service.environments?.forEach((key, k) => {
        if (!envNames.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'environments', k],
            message: `"${key}" is neither the name nor the kind of an environment in the catalog (${describeEnvironments(p.environments)})`,
          });
        }
      });
      for (const envName of Object.keys(service.replicas)) {
        if (!envNames.has(envName)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'replicas', envName],
            message: `"${envName}" is not an environment in the catalog`,
          });
        } else if (!p.environments.some((env) => namesEnvironment(envName, env) && runsIn(service, env))) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'replicas', envName],
            message: `${service.name} runs in no environment "${envName}" names (${describePlacement(service)}), so this replica count would never be used: remove it, or add "${envName}" to its environments`,
          });
        }
      }
      if (service.workload === 'stateful' && !service.storage) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'storage'], message: 'a stateful service needs storage' });
      }
      if (service.health.protocol === 'tcp' && service.slos.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'slos'],
          message: `${service.name} is probed over TCP, so it serves no HTTP requests: its SLIs (http_requests_total, http_request_duration_seconds) would never exist and the SLO could never alert; watch it with the Kubernetes alerts instead`,
        });
      }
      const sloNames = service.slos.map((s) => s.name);
      reportDuplicates(sloNames, `services[${i}].slos`, 'SLO', ctx, ['services', i, 'slos']);
    });
    reportSharedHosts(p.environments, p.services, ctx);
  });

/** The environments' names and kinds, for a message about a key that names neither. */
function describeEnvironments(environments: readonly Environment[]): string {
  const kinds = [...new Set(environments.map((e) => e.kind))];
  return `environments: ${environments.map((e) => e.name).join(', ')}; kinds: ${kinds.join(', ')}`;
}

/**
 * A service calls what it depends on wherever it runs: in an environment without the callee its calls reach
 * nothing, and no NetworkPolicy there admits it. One issue per dependency, at it, naming those environments.
 */
function reportCalleeMissing(
  caller: Service,
  callee: Service,
  environments: readonly Environment[],
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const missing = environments.filter((env) => runsIn(caller, env) && !runsIn(callee, env)).map((env) => env.name);
  if (missing.length === 0) return;
  const calleeRuns = environments.filter((env) => runsIn(callee, env)).map((env) => env.name);
  ctx.addIssue({
    code: 'custom',
    path,
    message: `${caller.name} runs in ${missing.join(', ')}, where ${callee.name}, which it depends on, does not (${callee.name} runs in ${
      calleeRuns.length > 0 ? calleeRuns.join(', ') : 'no environment'
    }): its calls there would reach nothing. Run ${callee.name} there too, or keep ${caller.name} out of ${missing.join(', ')} with its environments`,
  });
}

/**
 * An environment without a domain serves the production hosts: two environments claiming one host would
 * have their Ingresses (and certificates, and DNS) fight over it, and a test environment could take
 * production traffic. Only the services that run in an environment serve hosts there. One issue per environment,
 * at its domain, naming the hosts and their first owner.
 */
function reportSharedHosts(environments: readonly Environment[], services: readonly Service[], ctx: z.RefinementCtx): void {
  const owner = new Map<string, string>();
  environments.forEach((env, i) => {
    const taken = new Map<string, string[]>();
    for (const host of new Set(servicesIn({ services }, env).map((s) => publicHostFor(env, s)).filter((h): h is string => h !== undefined))) {
      const first = owner.get(host);
      if (first === undefined) owner.set(host, env.name);
      else taken.set(first, [...(taken.get(first) ?? []), host]);
    }
    for (const [other, hosts] of taken) {
      ctx.addIssue({
        code: 'custom',
        path: ['environments', i, 'domain'],
        message: `${env.name} would serve ${hosts.join(', ')}, already the public host${hosts.length > 1 ? 's' : ''} of ${other}${
          env.domain ? '' : ' (without a domain an environment uses the production hosts)'
        }: give ${env.name} a domain of its own, such as "${env.name}.${(hosts[0] as string).split('.').slice(1).join('.')}"`,
      });
    }
  });
}

function reportDuplicates(
  names: readonly string[],
  label: string,
  kind: string,
  ctx: z.RefinementCtx,
  path: PropertyKey[] = [label],
): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) {
      ctx.addIssue({ code: 'custom', path: [...path, index, 'name'], message: `duplicate ${kind} name "${name}"` });
    }
    seen.add(name);
  });
}

export type Platform = z.infer<typeof Platform>;
export type PlatformInput = z.input<typeof Platform>;

/**
 * The public host of a service in an environment: the catalog names the production host
 * ("api.cios.ca"); an environment with a domain ("dev.cios.ca") keeps the first label and swaps the rest.
 */
export function publicHostFor(env: Environment, service: Service): string | undefined {
  if (!service.ingress) return undefined;
  if (!env.domain) return service.ingress.host;
  const first = service.ingress.host.split('.')[0] as string;
  return `${first}.${env.domain}`;
}
