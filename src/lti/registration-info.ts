// What an LMS administrator needs to register TutorKit, derived from BASE_URL.
import { LTI_MOUNT, LTI_ROUTES } from './provider.js';

export interface RegistrationUrls {
  loginUrl: string;
  launchUrl: string;
  redirectUris: string[];
  jwksUrl: string;
  deepLinkingUrl: string;
  canvasConfigUrl: string;
}

export function registrationUrls(baseUrl: string): RegistrationUrls {
  const lti = `${baseUrl}${LTI_MOUNT}`;
  const launchUrl = `${lti}${LTI_ROUTES.launch}`;
  return {
    loginUrl: `${lti}${LTI_ROUTES.login}`,
    launchUrl,
    redirectUris: [launchUrl],
    jwksUrl: `${lti}${LTI_ROUTES.keys}`,
    // Deep linking requests arrive at the launch URL; ltijs tells them apart by message type.
    deepLinkingUrl: launchUrl,
    canvasConfigUrl: `${baseUrl}/lti-config.json`,
  };
}

const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
];

/** A Canvas developer key ("Enter JSON" / "Enter URL") for this TutorKit server. */
export function canvasDeveloperKey(baseUrl: string) {
  const urls = registrationUrls(baseUrl);
  return {
    title: 'TutorKit',
    description: 'Schedule, run and report on tutoring sessions from your course.',
    oidc_initiation_url: urls.loginUrl,
    target_link_uri: urls.launchUrl,
    public_jwk_url: urls.jwksUrl,
    scopes: SCOPES,
    extensions: [
      {
        domain: new URL(baseUrl).host,
        tool_id: 'tutorkit',
        platform: 'canvas.instructure.com',
        privacy_level: 'public',
        settings: {
          text: 'TutorKit',
          placements: [
            {
              placement: 'course_navigation',
              message_type: 'LtiResourceLinkRequest',
              target_link_uri: urls.launchUrl,
              text: 'Tutoring',
              default: 'enabled',
              windowTarget: '_self',
            },
            {
              placement: 'link_selection',
              message_type: 'LtiDeepLinkingRequest',
              target_link_uri: urls.deepLinkingUrl,
              text: 'TutorKit',
            },
          ],
        },
      },
    ],
    custom_fields: {},
  };
}

/** The BASE_URL the committed lti-config.json template is generated for. */
export const TEMPLATE_BASE_URL = 'https://tutorkit.example.edu';
