// The mapping operations of the wizard's step 3: the category names of a system
// (systemCategories) and the server's rendering of the CRM subject template
// (titleTemplatePreview). Read by `npm run codegen` like operations.ts.

import type { GraphQLClient } from './client';
import type {
  SystemCategoriesQuery,
  SystemCategoriesQueryVariables,
  TitleTemplatePreviewQuery,
  TitleTemplatePreviewQueryVariables,
} from '../gql/graphql';

export const SYSTEM_CATEGORIES = /* GraphQL */ `
  query SystemCategories($system: SystemInput!, $account: String, $profileId: ID) {
    systemCategories(system: $system, account: $account, profileId: $profileId) {
      complete
      message
      durationMs
      categories {
        name
        kind
        color
      }
    }
  }
`;

export const TITLE_TEMPLATE_PREVIEW = /* GraphQL */ `
  query TitleTemplatePreview($template: String!, $sample: TitleSample!) {
    titleTemplatePreview(template: $template, sample: $sample) {
      template
      subject
      title
      placeholders
    }
  }
`;

/** systemCategories lists the category names of a (possibly unsaved) system. */
export function systemCategories(client: GraphQLClient, v: SystemCategoriesQueryVariables): Promise<SystemCategoriesQuery> {
  return client.request<SystemCategoriesQuery, SystemCategoriesQueryVariables>(SYSTEM_CATEGORIES, v);
}

/** titleTemplatePreview renders a subject template for a sample with the connector's rules. */
export function titleTemplatePreview(client: GraphQLClient, v: TitleTemplatePreviewQueryVariables): Promise<TitleTemplatePreviewQuery> {
  return client.request<TitleTemplatePreviewQuery, TitleTemplatePreviewQueryVariables>(TITLE_TEMPLATE_PREVIEW, v);
}
