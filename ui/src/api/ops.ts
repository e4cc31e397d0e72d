// The operations the dashboard's operations views send: the governor's history,
// the TLS status, backup links and the automatic re-invitations. Kept apart from
// operations.ts; `npm run codegen` reads this file too.

import type { Api } from './operations';
import type {
  CreateBackupLinkMutation,
  CreateBackupLinkMutationVariables,
  GovernorHistoryQuery,
  GovernorHistoryQueryVariables,
  ReinvitationsQuery,
  ReinvitationsQueryVariables,
  TlsStatusQuery,
} from '../gql/graphql';

export const GOVERNOR_HISTORY = /* GraphQL */ `
  query GovernorHistory($scope: String, $minutes: Int) {
    governorHistory(scope: $scope, minutes: $minutes) {
      scope
      stepSeconds
      samples {
        at
        admitted
        throttled
        waitedMs
        maxInFlight
      }
    }
  }
`;

export const TLS_STATUS = /* GraphQL */ `
  query TlsStatus {
    tlsStatus {
      mode
      domains
      publicUrl
      httpRedirect
      certificates {
        domain
        subject
        issuer
        dnsNames
        notBefore
        notAfter
        daysLeft
      }
      renewalError
      renewalErrorAt
      problems {
        severity
        domain
        message
        action
      }
    }
  }
`;

export const CREATE_BACKUP_LINK = /* GraphQL */ `
  mutation CreateBackupLink($encrypted: Boolean) {
    createBackupLink(encrypted: $encrypted) {
      url
      expiresAt
    }
  }
`;

export const REINVITATIONS = /* GraphQL */ `
  query Reinvitations($profileId: ID) {
    reinvitations(profileId: $profileId) {
      profileId
      userId
      at
      error
      sent
      to
      reason
      adminsNotified
    }
  }
`;

/** OpsApi is one typed method per operation of this file, over the app's GraphQL client. */
export class OpsApi {
  constructor(readonly api: Api) {}

  governorHistory(v: GovernorHistoryQueryVariables): Promise<GovernorHistoryQuery> {
    return this.api.client.request<GovernorHistoryQuery, GovernorHistoryQueryVariables>(GOVERNOR_HISTORY, v);
  }
  tlsStatus(): Promise<TlsStatusQuery> {
    return this.api.client.request<TlsStatusQuery>(TLS_STATUS);
  }
  createBackupLink(v: CreateBackupLinkMutationVariables): Promise<CreateBackupLinkMutation> {
    return this.api.client.request<CreateBackupLinkMutation, CreateBackupLinkMutationVariables>(CREATE_BACKUP_LINK, v);
  }
  reinvitations(v: ReinvitationsQueryVariables): Promise<ReinvitationsQuery> {
    return this.api.client.request<ReinvitationsQuery, ReinvitationsQueryVariables>(REINVITATIONS, v);
  }
}
