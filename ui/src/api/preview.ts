// The dry-run preview operations (previewSync for the wizard's unsaved profile,
// previewUserSync for a saved linked user). Kept apart from operations.ts; the
// /* GraphQL */ strings are read by `npm run codegen` like those of operations.ts.

import type { GraphQLClient } from './client';
import type { PreviewSyncMutation, PreviewSyncMutationVariables, PreviewUserSyncMutation, PreviewUserSyncMutationVariables } from '../gql/graphql';

const PREVIEW_FIELDS = /* GraphQL */ `
  fragment SyncPreviewFields on SyncPreview {
    profileId
    userId
    saved
    paused
    truncated
    totalOperations
    tookMs
    kinds {
      kind
      direction
      firstSync
      linked
      listed
      crm {
        creates
        updates
        deletes
      }
      mailbox {
        creates
        updates
        deletes
      }
      unchanged
      conflicts
      conflictList {
        crmId
        mailboxId
        title
        fields
        kept
      }
      skipped
      skips {
        decision
        reason
        count
      }
      bad {
        side
        itemId
        field
        reason
      }
      badCount
      stillQuarantined
      guard
      pendingWrites
      busy
      incomplete
      tookMs
    }
    operations {
      kind
      side
      action
      linkId
      itemId
      sourceId
      title
      start
      reason
    }
  }
`;

export const PREVIEW_SYNC = /* GraphQL */ `
  mutation PreviewSync($profile: ProfileInput!, $crm: SyncAccountInput!, $mailbox: SyncAccountInput!) {
    previewSync(profile: $profile, crm: $crm, mailbox: $mailbox) {
      ...SyncPreviewFields
    }
  }
  ${PREVIEW_FIELDS}
`;

export const PREVIEW_USER_SYNC = /* GraphQL */ `
  mutation PreviewUserSync($profileId: ID!, $userId: ID!) {
    previewUserSync(profileId: $profileId, userId: $userId) {
      ...SyncPreviewFields
    }
  }
  ${PREVIEW_FIELDS}
`;

/** previewSync previews the first sync of one user under a (possibly unsaved) profile. */
export function previewSync(client: GraphQLClient, v: PreviewSyncMutationVariables): Promise<PreviewSyncMutation> {
  return client.request<PreviewSyncMutation, PreviewSyncMutationVariables>(PREVIEW_SYNC, v);
}

/** previewUserSync previews the next sync of a saved linked user. */
export function previewUserSync(client: GraphQLClient, v: PreviewUserSyncMutationVariables): Promise<PreviewUserSyncMutation> {
  return client.request<PreviewUserSyncMutation, PreviewUserSyncMutationVariables>(PREVIEW_USER_SYNC, v);
}
