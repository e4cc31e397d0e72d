// The operations of the connection tests, preflight checks, directory matching
// and profile editing (wizard steps 2, 4 and 5, the check page), and the wizard's sign-in
// that returns to it. Kept apart from
// operations.ts; `npm run codegen` reads both.

import type {
  BeginWizardSignInMutation,
  BeginWizardSignInMutationVariables,
  EditSyncProfileQuery,
  EditSyncProfileQueryVariables,
  ProfileChecksQuery,
  ProfileChecksQueryVariables,
  SuggestLinksQuery,
  SuggestLinksQueryVariables,
  SystemSecretsSetQuery,
  SystemSecretsSetQueryVariables,
  TestSystemMutation,
  TestSystemMutationVariables,
  UnlinkUserMutation,
  UnlinkUserMutationVariables,
} from '../gql/graphql';
import type { Api } from './operations';

const RESULT_FIELDS = /* GraphQL */ `
  fragment CheckResultFields on CheckResult {
    name
    status
    detail
    fix
  }
`;

export const TEST_SYSTEM = /* GraphQL */ `
  mutation TestSystem($system: SystemInput!, $profileId: ID) {
    testSystem(system: $system, profileId: $profileId) {
      type
      instance
      ok
      durationMs
      checkedAt
      timedOut
      message
      results {
        ...CheckResultFields
      }
    }
  }
  ${RESULT_FIELDS}
`;

export const PROFILE_CHECKS = /* GraphQL */ `
  query ProfileChecks($profileId: ID!, $users: [ID!]) {
    profileChecks(profileId: $profileId, users: $users) {
      profileId
      ok
      checkedAt
      message
      crm {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      mailbox {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      users {
        userId
        ok
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        crmResults {
          ...CheckResultFields
        }
        mailboxResults {
          ...CheckResultFields
        }
      }
    }
  }
  ${RESULT_FIELDS}
`;

export const SUGGEST_LINKS = /* GraphQL */ `
  query SuggestLinks($crm: SystemInput!, $mailbox: SystemInput!, $profileId: ID) {
    suggestLinks(crm: $crm, mailbox: $mailbox, profileId: $profileId) {
      complete
      message
      pairs {
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
        matchedBy
        address
      }
      unmatchedCrm {
        id
        email
        name
      }
      unmatchedMailbox {
        id
        email
        name
      }
    }
  }
`;

export const EDIT_SYNC_PROFILE = /* GraphQL */ `
  query EditSyncProfile($id: ID!) {
    syncProfile(id: $id) {
      id
      name
      crm {
        type
        instance
        settings
        secretFields
      }
      mailbox {
        type
        instance
        settings
        secretFields
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      filters {
        skipPrivate
        skipAllDay
        skipFree
        skipRecurring
      }
      policy
      onDelete
      pollSeconds
      guard {
        deletes {
          count
          percent
        }
        creates {
          count
          percent
        }
        profileDeletes
        profileCreates
        profileWindowSeconds
        guardFirstSync
      }
      userMay {
        directions
        filters
        window
      }
      users {
        id
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
      }
    }
  }
`;

export const SYSTEM_SECRETS_SET = /* GraphQL */ `
  query SystemSecretsSet($instance: String!, $names: [String!]!) {
    systemSecretsSet(instance: $instance, names: $names)
  }
`;

export const UNLINK_USER = /* GraphQL */ `
  mutation UnlinkUser($profileId: ID!, $userId: ID!) {
    unlinkUser(profileId: $profileId, userId: $userId)
  }
`;

export const BEGIN_WIZARD_SIGN_IN = /* GraphQL */ `
  mutation BeginWizardSignIn($profileId: ID!, $side: Side!, $returnTo: String!) {
    beginSystemSignIn(profileId: $profileId, side: $side, returnTo: $returnTo) {
      url
      expiresAt
    }
  }
`;

/** checksApi returns the typed calls of this file over an Api's client. */
export function checksApi(api: Api) {
  const c = api.client;
  return {
    testSystem: (v: TestSystemMutationVariables) => c.request<TestSystemMutation, TestSystemMutationVariables>(TEST_SYSTEM, v),
    profileChecks: (v: ProfileChecksQueryVariables) => c.request<ProfileChecksQuery, ProfileChecksQueryVariables>(PROFILE_CHECKS, v),
    suggestLinks: (v: SuggestLinksQueryVariables) => c.request<SuggestLinksQuery, SuggestLinksQueryVariables>(SUGGEST_LINKS, v),
    editProfile: (v: EditSyncProfileQueryVariables) => c.request<EditSyncProfileQuery, EditSyncProfileQueryVariables>(EDIT_SYNC_PROFILE, v),
    secretsSet: (v: SystemSecretsSetQueryVariables) => c.request<SystemSecretsSetQuery, SystemSecretsSetQueryVariables>(SYSTEM_SECRETS_SET, v),
    unlinkUser: (v: UnlinkUserMutationVariables) => c.request<UnlinkUserMutation, UnlinkUserMutationVariables>(UNLINK_USER, v),
    beginWizardSignIn: (v: BeginWizardSignInMutationVariables) => c.request<BeginWizardSignInMutation, BeginWizardSignInMutationVariables>(BEGIN_WIZARD_SIGN_IN, v),
  };
}

/** ChecksApi is what checksApi returns. */
export type ChecksApi = ReturnType<typeof checksApi>;
