// Every GraphQL operation the dashboard sends. The /* GraphQL */ strings are read
// by `npm run codegen`, which checks them against ../graph/*.graphqls and writes
// their result and variable types into src/gql/graphql.ts.

import type { GraphQLClient } from './client';
import type {
  AcceptInvitationMutation,
  AcceptInvitationMutationVariables,
  AddAdminMutation,
  AddAdminMutationVariables,
  AdminsQuery,
  ApiTokensQuery,
  AuditLogQuery,
  AuditLogQueryVariables,
  BootQuery,
  ChangePasswordMutation,
  ChangePasswordMutationVariables,
  CreateApiTokenMutation,
  CreateApiTokenMutationVariables,
  InviteAdminMutation,
  InviteAdminMutationVariables,
  LoginMutation,
  LoginMutationVariables,
  LogoutMutation,
  RemoveAdminMutation,
  RemoveAdminMutationVariables,
  RevokeApiTokenMutation,
  RevokeApiTokenMutationVariables,
  SetupMutation,
  SetupMutationVariables,
  VersionQuery,
  SyncProfilesQuery,
  SyncNowMutation,
  SyncNowMutationVariables,
  PauseSyncMutation,
  PauseSyncMutationVariables,
  ResumeSyncMutation,
  ResumeSyncMutationVariables,
  SyncConflictsQuery,
  SyncConflictsQueryVariables,
  ResolveSyncConflictMutation,
  ResolveSyncConflictMutationVariables,
  PendingApprovalsQuery,
  ApproveSyncRunMutation,
  ApproveSyncRunMutationVariables,
  RejectSyncRunMutation,
  RejectSyncRunMutationVariables,
  GovernorQuery,
  UserRunsQuery,
  UserRunsQueryVariables,
  UndoSyncRunMutation,
  UndoSyncRunMutationVariables,
  SyncTraceQuery,
  SyncTraceQueryVariables,
  SyncQuarantineQuery,
  SyncQuarantineQueryVariables,
  ReleaseQuarantineMutation,
  ReleaseQuarantineMutationVariables,
  SaveSyncProfileMutation,
  SaveSyncProfileMutationVariables,
  SetSystemSecretsMutation,
  SetSystemSecretsMutationVariables,
  LinkUserMutation,
  LinkUserMutationVariables,
  BeginSystemSignInMutation,
  BeginSystemSignInMutationVariables,
  SmtpSettingsQuery,
  SaveSmtpSettingsMutation,
  SaveSmtpSettingsMutationVariables,
  SendTestMailMutation,
  SendTestMailMutationVariables,
  InviteMailboxUserMutation,
  InviteMailboxUserMutationVariables,
  MyLinksQuery,
  SignInProvidersQuery,
  AcceptPortalInvitationMutation,
  AcceptPortalInvitationMutationVariables,
  CreatePortalInvitationMutation,
  CreatePortalInvitationMutationVariables,
  BeginMyMailboxSignInMutation,
  BeginMyMailboxSignInMutationVariables,
  SetMyPreferencesMutation,
  SetMyPreferencesMutationVariables,
  SyncMyMailboxNowMutation,
  SyncMyMailboxNowMutationVariables,
} from '../gql/graphql';

export const BOOT = /* GraphQL */ `
  query Boot {
    systemStatus {
      state
      version
    }
    me {
      id
      email
      name
      role
      createdAt
    }
  }
`;

export const VERSION = /* GraphQL */ `
  query Version {
    version {
      version
      commit
    }
  }
`;

export const SETUP = /* GraphQL */ `
  mutation Setup($input: SetupInput!) {
    setup(input: $input) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout {
    logout
  }
`;

export const ACCEPT_INVITATION = /* GraphQL */ `
  mutation AcceptInvitation($token: String!, $name: String, $password: String!) {
    acceptInvitation(token: $token, name: $name, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`;

export const CHANGE_PASSWORD = /* GraphQL */ `
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`;

export const ADMINS = /* GraphQL */ `
  query Admins {
    admins {
      id
      email
      name
      role
      createdAt
    }
  }
`;

export const ADD_ADMIN = /* GraphQL */ `
  mutation AddAdmin($email: String!, $name: String!, $password: String!) {
    addAdmin(email: $email, name: $name, password: $password) {
      id
      email
      name
    }
  }
`;

export const INVITE_ADMIN = /* GraphQL */ `
  mutation InviteAdmin($email: String!, $name: String!) {
    inviteAdmin(email: $email, name: $name) {
      email
      name
      link
      expiresAt
    }
  }
`;

export const REMOVE_ADMIN = /* GraphQL */ `
  mutation RemoveAdmin($id: ID!) {
    removeAdmin(id: $id)
  }
`;

export const API_TOKENS = /* GraphQL */ `
  query ApiTokens {
    apiTokens {
      id
      name
      createdAt
      expiresAt
      lastUsedAt
    }
  }
`;

export const CREATE_API_TOKEN = /* GraphQL */ `
  mutation CreateApiToken($name: String!, $expiresInDays: Int) {
    createApiToken(name: $name, expiresInDays: $expiresInDays) {
      token {
        id
        name
        createdAt
        expiresAt
        lastUsedAt
      }
      secret
    }
  }
`;

export const REVOKE_API_TOKEN = /* GraphQL */ `
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`;

export const AUDIT_LOG = /* GraphQL */ `
  query AuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          time
          actor
          action
          target
          ip
          detail
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const SYNC_PROFILES = /* GraphQL */ `
  query SyncProfiles {
    syncProfiles {
      id
      name
      crm {
        type
        instance
      }
      mailbox {
        type
        instance
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      policy
      onDelete
      pollSeconds
      users {
        id
        profileId
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        status {
          paused
          queued
          running
          nextRun
          lastRun
          lastOk
          lastError
          lastErrorAt
          failures
          breaker
          breakerReason
          breakerUntil
        }
      }
    }
    schedulerStatus {
      profiles {
        profileId
        paused
        queued
        running
        users
      }
    }
  }
`;

export const SYNC_NOW = /* GraphQL */ `
  mutation SyncNow($profileId: ID!, $userId: ID) {
    syncNow(profileId: $profileId, userId: $userId)
  }
`;

export const PAUSE_SYNC = /* GraphQL */ `
  mutation PauseSync($profileId: ID!, $userId: ID) {
    pauseSync(profileId: $profileId, userId: $userId)
  }
`;

export const RESUME_SYNC = /* GraphQL */ `
  mutation ResumeSync($profileId: ID!, $userId: ID) {
    resumeSync(profileId: $profileId, userId: $userId)
  }
`;

export const SYNC_CONFLICTS = /* GraphQL */ `
  query SyncConflicts($openOnly: Boolean) {
    syncConflicts(openOnly: $openOnly) {
      id
      profileId
      userId
      kind
      fields
      crm
      mailbox
      crmItemId
      mailboxItemId
      base
      decision
      policy
      at
      resolved
    }
  }
`;

export const RESOLVE_CONFLICT = /* GraphQL */ `
  mutation ResolveSyncConflict($id: ID!, $choice: Side!) {
    resolveSyncConflict(id: $id, choice: $choice) {
      id
      resolved
    }
  }
`;

export const PENDING_APPROVALS = /* GraphQL */ `
  query PendingApprovals {
    pendingApprovals {
      id
      profileId
      userId
      kind
      trigger
      start
      guard
      counts {
        listed
        created
        updated
        deleted
      }
      planned {
        side
        action
        linkId
        title
        reason
      }
    }
  }
`;

export const APPROVE_RUN = /* GraphQL */ `
  mutation ApproveSyncRun($id: ID!) {
    approveSyncRun(id: $id) {
      id
      status
    }
  }
`;

export const REJECT_RUN = /* GraphQL */ `
  mutation RejectSyncRun($id: ID!) {
    rejectSyncRun(id: $id) {
      id
      status
    }
  }
`;

export const GOVERNOR = /* GraphQL */ `
  query Governor {
    schedulerStatus {
      at
      started
      stopping
      workers
      queueDepth
      running {
        profileId
        userId
        kind
        trigger
        started
      }
      systems {
        system
        state
        failures
        until
      }
      housekeeping {
        hour
        nextRun
        lastRun
      }
    }
    governorStatus {
      scope
      system
      kind
      key
      maxInFlight
      effectiveInFlight
      inFlight
      waiting
      requests
      perSeconds
      budgetLeft
      backingOffUntil
      throttled
      recentThrottles
      avgLatencyMs
      slowedDown
    }
  }
`;

export const USER_RUNS = /* GraphQL */ `
  query UserRuns($profileId: ID!, $userId: ID!, $first: Int, $before: ID) {
    syncRuns(profileId: $profileId, userId: $userId, first: $first, before: $before) {
      id
      kind
      trigger
      start
      end
      status
      error
      guard
      undoOf
      undoneBy
      counts {
        listed
        created
        updated
        deleted
        unchanged
        conflicts
        quarantined
        skipped
        errors
      }
      operations {
        seq
        side
        action
        itemId
        at
      }
    }
  }
`;

export const UNDO_RUN = /* GraphQL */ `
  mutation UndoSyncRun($id: ID!) {
    undoSyncRun(id: $id) {
      id
      status
      counts {
        updated
        created
        deleted
      }
    }
  }
`;

export const SYNC_TRACE = /* GraphQL */ `
  query SyncTrace($itemId: String!) {
    syncTrace(itemId: $itemId) {
      at
      runId
      profileId
      userId
      kind
      side
      linkId
      decision
      reason
    }
  }
`;

export const SYNC_QUARANTINE = /* GraphQL */ `
  query SyncQuarantine($profileId: ID) {
    syncQuarantine(profileId: $profileId) {
      profileId
      userId
      kind
      side
      itemId
      field
      reason
      at
    }
  }
`;

export const RELEASE_QUARANTINE = /* GraphQL */ `
  mutation ReleaseQuarantine($input: ReleaseQuarantineInput!) {
    releaseQuarantine(input: $input)
  }
`;

export const SYNC_STATUS_LIVE = /* GraphQL */ `
  subscription SyncStatusLive {
    syncStatus {
      event {
        type
        at
        profileId
        userId
        runId
        error
      }
    }
  }
`;

export const SAVE_PROFILE = /* GraphQL */ `
  mutation SaveSyncProfile($input: ProfileInput!) {
    saveSyncProfile(input: $input) {
      id
      name
    }
  }
`;

export const SET_SYSTEM_SECRETS = /* GraphQL */ `
  mutation SetSystemSecrets($instance: String!, $secrets: [SystemSecretInput!]!) {
    setSystemSecrets(instance: $instance, secrets: $secrets)
  }
`;

export const LINK_USER = /* GraphQL */ `
  mutation LinkUser($input: LinkUserInput!) {
    linkUser(input: $input) {
      id
    }
  }
`;

export const BEGIN_SIGN_IN = /* GraphQL */ `
  mutation BeginSystemSignIn($profileId: ID!, $side: Side!, $userId: ID) {
    beginSystemSignIn(profileId: $profileId, side: $side, userId: $userId) {
      url
      expiresAt
    }
  }
`;

export const SMTP_SETTINGS = /* GraphQL */ `
  query SmtpSettings {
    smtpSettings {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`;

export const SAVE_SMTP_SETTINGS = /* GraphQL */ `
  mutation SaveSmtpSettings($input: SmtpSettingsInput!) {
    saveSmtpSettings(input: $input) {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`;

export const SEND_TEST_MAIL = /* GraphQL */ `
  mutation SendTestMail($to: String!) {
    sendTestMail(to: $to) {
      sent
      to
      message
    }
  }
`;

export const INVITE_MAILBOX_USER = /* GraphQL */ `
  mutation InviteMailboxUser($profileId: ID!, $userId: ID!) {
    inviteMailboxUser(profileId: $profileId, userId: $userId) {
      sent
      to
      message
      expiresAt
    }
  }
`;

// The user portal (graph/portal.graphqls).

export const MY_LINKS = /* GraphQL */ `
  query MyLinks {
    myLinks {
      profileId
      profileName
      userId
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
      crmType
      mailboxType
      mailboxSignIn
      mailboxAuthorized
      status {
        profileId
        userId
        paused
        nextRun
        queued
        running
        lastRun
        lastOk
        lastError
        lastErrorAt
        failures
        breaker
        breakerReason
        breakerUntil
        pushHealthy
      }
      overrides {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      defaults {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      userMay {
        directions
        filters
        window
      }
      recentRuns {
        id
        kind
        trigger
        start
        end
        status
        error
        counts {
          created
          updated
          deleted
          conflicts
          quarantined
          errors
        }
      }
      quarantine {
        kind
        side
        itemId
        field
        reason
        at
      }
      openConflicts
    }
  }
`;

export const SIGN_IN_PROVIDERS = /* GraphQL */ `
  query SignInProviders {
    signInProviders {
      id
      name
      type
      startUrl
    }
  }
`;

export const ACCEPT_PORTAL_INVITATION = /* GraphQL */ `
  mutation AcceptPortalInvitation($token: String!) {
    acceptPortalInvitation(token: $token) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`;

export const CREATE_PORTAL_INVITATION = /* GraphQL */ `
  mutation CreatePortalInvitation($profileId: ID!, $userId: ID!) {
    createPortalInvitation(profileId: $profileId, userId: $userId) {
      link
      email
      expiresAt
    }
  }
`;

export const BEGIN_MY_MAILBOX_SIGN_IN = /* GraphQL */ `
  mutation BeginMyMailboxSignIn($profileId: ID!) {
    beginMyMailboxSignIn(profileId: $profileId) {
      url
      expiresAt
    }
  }
`;

export const SET_MY_PREFERENCES = /* GraphQL */ `
  mutation SetMyPreferences($profileId: ID!, $overrides: UserOverridesInput!) {
    setMyPreferences(profileId: $profileId, overrides: $overrides) {
      profileId
      userId
    }
  }
`;

export const SYNC_MY_MAILBOX_NOW = /* GraphQL */ `
  mutation SyncMyMailboxNow($profileId: ID!) {
    syncMyMailboxNow(profileId: $profileId)
  }
`;

/** Account is the signed-in account as the dashboard keeps it. */
export type Account = NonNullable<BootQuery['me']>;

/** Api wraps a GraphQLClient with one typed method per operation. */
export class Api {
  constructor(readonly client: GraphQLClient) {}

  boot(): Promise<BootQuery> {
    return this.client.request<BootQuery>(BOOT);
  }
  version(): Promise<VersionQuery> {
    return this.client.request<VersionQuery>(VERSION);
  }
  setup(v: SetupMutationVariables): Promise<SetupMutation> {
    return this.client.request<SetupMutation, SetupMutationVariables>(SETUP, v);
  }
  login(v: LoginMutationVariables): Promise<LoginMutation> {
    return this.client.request<LoginMutation, LoginMutationVariables>(LOGIN, v);
  }
  logout(): Promise<LogoutMutation> {
    return this.client.request<LogoutMutation>(LOGOUT);
  }
  acceptInvitation(v: AcceptInvitationMutationVariables): Promise<AcceptInvitationMutation> {
    return this.client.request<AcceptInvitationMutation, AcceptInvitationMutationVariables>(ACCEPT_INVITATION, v);
  }
  changePassword(v: ChangePasswordMutationVariables): Promise<ChangePasswordMutation> {
    return this.client.request<ChangePasswordMutation, ChangePasswordMutationVariables>(CHANGE_PASSWORD, v);
  }
  admins(): Promise<AdminsQuery> {
    return this.client.request<AdminsQuery>(ADMINS);
  }
  addAdmin(v: AddAdminMutationVariables): Promise<AddAdminMutation> {
    return this.client.request<AddAdminMutation, AddAdminMutationVariables>(ADD_ADMIN, v);
  }
  inviteAdmin(v: InviteAdminMutationVariables): Promise<InviteAdminMutation> {
    return this.client.request<InviteAdminMutation, InviteAdminMutationVariables>(INVITE_ADMIN, v);
  }
  removeAdmin(v: RemoveAdminMutationVariables): Promise<RemoveAdminMutation> {
    return this.client.request<RemoveAdminMutation, RemoveAdminMutationVariables>(REMOVE_ADMIN, v);
  }
  apiTokens(): Promise<ApiTokensQuery> {
    return this.client.request<ApiTokensQuery>(API_TOKENS);
  }
  createApiToken(v: CreateApiTokenMutationVariables): Promise<CreateApiTokenMutation> {
    return this.client.request<CreateApiTokenMutation, CreateApiTokenMutationVariables>(CREATE_API_TOKEN, v);
  }
  revokeApiToken(v: RevokeApiTokenMutationVariables): Promise<RevokeApiTokenMutation> {
    return this.client.request<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>(REVOKE_API_TOKEN, v);
  }
  auditLog(v: AuditLogQueryVariables): Promise<AuditLogQuery> {
    return this.client.request<AuditLogQuery, AuditLogQueryVariables>(AUDIT_LOG, v);
  }
  syncProfiles(): Promise<SyncProfilesQuery> {
    return this.client.request<SyncProfilesQuery>(SYNC_PROFILES);
  }
  syncNow(v: SyncNowMutationVariables): Promise<SyncNowMutation> {
    return this.client.request<SyncNowMutation, SyncNowMutationVariables>(SYNC_NOW, v);
  }
  pauseSync(v: PauseSyncMutationVariables): Promise<PauseSyncMutation> {
    return this.client.request<PauseSyncMutation, PauseSyncMutationVariables>(PAUSE_SYNC, v);
  }
  resumeSync(v: ResumeSyncMutationVariables): Promise<ResumeSyncMutation> {
    return this.client.request<ResumeSyncMutation, ResumeSyncMutationVariables>(RESUME_SYNC, v);
  }
  syncConflicts(v: SyncConflictsQueryVariables): Promise<SyncConflictsQuery> {
    return this.client.request<SyncConflictsQuery, SyncConflictsQueryVariables>(SYNC_CONFLICTS, v);
  }
  resolveConflict(v: ResolveSyncConflictMutationVariables): Promise<ResolveSyncConflictMutation> {
    return this.client.request<ResolveSyncConflictMutation, ResolveSyncConflictMutationVariables>(RESOLVE_CONFLICT, v);
  }
  pendingApprovals(): Promise<PendingApprovalsQuery> {
    return this.client.request<PendingApprovalsQuery>(PENDING_APPROVALS);
  }
  approveRun(v: ApproveSyncRunMutationVariables): Promise<ApproveSyncRunMutation> {
    return this.client.request<ApproveSyncRunMutation, ApproveSyncRunMutationVariables>(APPROVE_RUN, v);
  }
  rejectRun(v: RejectSyncRunMutationVariables): Promise<RejectSyncRunMutation> {
    return this.client.request<RejectSyncRunMutation, RejectSyncRunMutationVariables>(REJECT_RUN, v);
  }
  governor(): Promise<GovernorQuery> {
    return this.client.request<GovernorQuery>(GOVERNOR);
  }
  userRuns(v: UserRunsQueryVariables): Promise<UserRunsQuery> {
    return this.client.request<UserRunsQuery, UserRunsQueryVariables>(USER_RUNS, v);
  }
  undoRun(v: UndoSyncRunMutationVariables): Promise<UndoSyncRunMutation> {
    return this.client.request<UndoSyncRunMutation, UndoSyncRunMutationVariables>(UNDO_RUN, v);
  }
  trace(v: SyncTraceQueryVariables): Promise<SyncTraceQuery> {
    return this.client.request<SyncTraceQuery, SyncTraceQueryVariables>(SYNC_TRACE, v);
  }
  quarantine(v: SyncQuarantineQueryVariables): Promise<SyncQuarantineQuery> {
    return this.client.request<SyncQuarantineQuery, SyncQuarantineQueryVariables>(SYNC_QUARANTINE, v);
  }
  saveProfile(v: SaveSyncProfileMutationVariables): Promise<SaveSyncProfileMutation> {
    return this.client.request<SaveSyncProfileMutation, SaveSyncProfileMutationVariables>(SAVE_PROFILE, v);
  }
  setSystemSecrets(v: SetSystemSecretsMutationVariables): Promise<SetSystemSecretsMutation> {
    return this.client.request<SetSystemSecretsMutation, SetSystemSecretsMutationVariables>(SET_SYSTEM_SECRETS, v);
  }
  beginSignIn(v: BeginSystemSignInMutationVariables): Promise<BeginSystemSignInMutation> {
    return this.client.request<BeginSystemSignInMutation, BeginSystemSignInMutationVariables>(BEGIN_SIGN_IN, v);
  }
  linkUser(v: LinkUserMutationVariables): Promise<LinkUserMutation> {
    return this.client.request<LinkUserMutation, LinkUserMutationVariables>(LINK_USER, v);
  }
  releaseQuarantine(v: ReleaseQuarantineMutationVariables): Promise<ReleaseQuarantineMutation> {
    return this.client.request<ReleaseQuarantineMutation, ReleaseQuarantineMutationVariables>(RELEASE_QUARANTINE, v);
  }
  smtpSettings(): Promise<SmtpSettingsQuery> {
    return this.client.request<SmtpSettingsQuery>(SMTP_SETTINGS);
  }
  saveSmtpSettings(v: SaveSmtpSettingsMutationVariables): Promise<SaveSmtpSettingsMutation> {
    return this.client.request<SaveSmtpSettingsMutation, SaveSmtpSettingsMutationVariables>(SAVE_SMTP_SETTINGS, v);
  }
  sendTestMail(v: SendTestMailMutationVariables): Promise<SendTestMailMutation> {
    return this.client.request<SendTestMailMutation, SendTestMailMutationVariables>(SEND_TEST_MAIL, v);
  }
  inviteMailboxUser(v: InviteMailboxUserMutationVariables): Promise<InviteMailboxUserMutation> {
    return this.client.request<InviteMailboxUserMutation, InviteMailboxUserMutationVariables>(INVITE_MAILBOX_USER, v);
  }
  myLinks(): Promise<MyLinksQuery> {
    return this.client.request<MyLinksQuery>(MY_LINKS);
  }
  signInProviders(): Promise<SignInProvidersQuery> {
    return this.client.request<SignInProvidersQuery>(SIGN_IN_PROVIDERS);
  }
  acceptPortalInvitation(v: AcceptPortalInvitationMutationVariables): Promise<AcceptPortalInvitationMutation> {
    return this.client.request<AcceptPortalInvitationMutation, AcceptPortalInvitationMutationVariables>(ACCEPT_PORTAL_INVITATION, v);
  }
  createPortalInvitation(v: CreatePortalInvitationMutationVariables): Promise<CreatePortalInvitationMutation> {
    return this.client.request<CreatePortalInvitationMutation, CreatePortalInvitationMutationVariables>(CREATE_PORTAL_INVITATION, v);
  }
  beginMyMailboxSignIn(v: BeginMyMailboxSignInMutationVariables): Promise<BeginMyMailboxSignInMutation> {
    return this.client.request<BeginMyMailboxSignInMutation, BeginMyMailboxSignInMutationVariables>(BEGIN_MY_MAILBOX_SIGN_IN, v);
  }
  setMyPreferences(v: SetMyPreferencesMutationVariables): Promise<SetMyPreferencesMutation> {
    return this.client.request<SetMyPreferencesMutation, SetMyPreferencesMutationVariables>(SET_MY_PREFERENCES, v);
  }
  syncMyMailboxNow(v: SyncMyMailboxNowMutationVariables): Promise<SyncMyMailboxNowMutation> {
    return this.client.request<SyncMyMailboxNowMutation, SyncMyMailboxNowMutationVariables>(SYNC_MY_MAILBOX_NOW, v);
  }
}
