// The register-platform command's shape. The CLI parses its arguments with it, and the server
// parses the same object again when the CLI hands the change to it (POST /internal/platforms).
// Messages name the CLI's options: that is where an operator fixes them.
import { z } from 'zod';

const httpUrl = (name: string) =>
  z.url({ error: `--${name} must be an absolute URL` }).refine((u) => /^https?:\/\//.test(u), { error: `--${name} must be an http(s) URL` });

const requiredDeploymentIds = { error: 'at least one --deployment-id is required' };

/** The CLI's options, by their CLI names; parsing yields a registration ready for registerPlatform. */
export const RegisterPlatformArgs = z
  .object({
    issuer: z.string({ error: '--issuer is required (the LMS issuer, e.g. https://canvas.instructure.com)' }).min(1),
    'client-id': z.string({ error: '--client-id is required (the client ID the LMS gave TutorKit)' }).min(1),
    'auth-endpoint': httpUrl('auth-endpoint'),
    'token-endpoint': httpUrl('token-endpoint'),
    'keyset-url': httpUrl('keyset-url'),
    'deployment-id': z.array(z.string().min(1), requiredDeploymentIds).min(1, requiredDeploymentIds),
    name: z.string().min(1).optional(),
  })
  .transform((a) => ({
    issuer: a.issuer,
    clientId: a['client-id'],
    name: a.name ?? new URL(a['auth-endpoint']).host,
    authEndpoint: a['auth-endpoint'],
    tokenEndpoint: a['token-endpoint'],
    keysetUrl: a['keyset-url'],
    isDemo: false,
    deploymentIds: a['deployment-id'],
  }));
/** A registration as the command asks for it: always with a key set URL. */
export type PlatformCommand = z.output<typeof RegisterPlatformArgs>;
