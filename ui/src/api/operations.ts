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
}
