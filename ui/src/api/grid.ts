// The operations of the users grid's summary columns (last sync, items, the error
// naming the item at fault). Kept apart from operations.ts; `npm run codegen` reads both.

import type { UserSummariesQuery, UserSummariesQueryVariables, UserSummaryQuery, UserSummaryQueryVariables } from '../gql/graphql';
import type { Api } from './operations';

const SUMMARY_FIELDS = /* GraphQL */ `
  fragment UserSummaryFields on UserSummary {
    lastSuccess
    quarantined
    kinds {
      kind
      items
      lastRun {
        id
        status
        end
        counts {
          listed
          created
          updated
          deleted
        }
      }
    }
    lastError {
      kind
      at
      message
      runId
      itemId
      field
    }
  }
`;

export const USER_SUMMARIES = /* GraphQL */ `
  query UserSummaries($profileId: ID!) {
    linkedUsers(profileId: $profileId) {
      id
      summary {
        ...UserSummaryFields
      }
    }
  }
  ${SUMMARY_FIELDS}
`;

export const USER_SUMMARY = /* GraphQL */ `
  query UserSummary($profileId: ID!, $userId: ID!) {
    userSummary(profileId: $profileId, userId: $userId) {
      ...UserSummaryFields
    }
  }
  ${SUMMARY_FIELDS}
`;

/** gridApi returns the typed calls of this file over an Api's client. */
export function gridApi(api: Api) {
  const c = api.client;
  return {
    userSummaries: (v: UserSummariesQueryVariables) => c.request<UserSummariesQuery, UserSummariesQueryVariables>(USER_SUMMARIES, v),
    userSummary: (v: UserSummaryQueryVariables) => c.request<UserSummaryQuery, UserSummaryQueryVariables>(USER_SUMMARY, v),
  };
}

/** GridApi is what gridApi returns. */
export type GridApi = ReturnType<typeof gridApi>;
