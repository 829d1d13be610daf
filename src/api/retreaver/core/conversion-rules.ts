import { type Static, Type } from 'typebox';
import { fromCents } from '../../../domain/money.js';
import type { CampaignRef } from '../../../services/campaigns.js';
import type { ConversionRuleInput, ConversionRuleView } from '../../../services/conversion-rules.js';
import type { Services } from '../../../services/index.js';
import { send, sendPage } from '../reply.js';
import { AuthQuery, ListQuery, Nullable, time } from './common.js';
import type { CoreApp } from './plugin.js';
import { ConversionRules } from './responses.js';

/**
 * Conversion rules: Retreaver's docs have no such resource, so it is shaped like the others, nested
 * under the campaign it belongs to (by cid, like the seed's campaign paths, or by internal id).
 */
const Money = (description: string) =>
  Type.Number({
    minimum: 0,
    maximum: 1_000_000,
    description: `${description} In dollars, at most 2 decimals.`,
  });

const ConversionRuleBody = Type.Object(
  {
    seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86_400,
        description:
          "Seconds the answered call must last to convert (required on create). The connected target's `timer_offset` is added.",
      }),
    ),
    revenue: Type.Optional(Money('Owed by the buyer when the call converts (default 0).')),
    payout: Type.Optional(Money('Owed to the publisher when the call converts (default 0).')),
    afid: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 255,
          description: 'Only calls of this affiliate (its `afid`); null or blank: any.',
        }),
      ),
    ),
    target_id: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: 2_147_483_647,
          description: 'Only calls connected to this target; null: any.',
        }),
      ),
    ),
    // Read-only fields a client may echo back from a GET; accepted and ignored.
    id: Type.Optional(Type.Unknown()),
    created_at: Type.Optional(Type.Unknown()),
    updated_at: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
type ConversionRuleBody = Static<typeof ConversionRuleBody>;

export function presentConversionRule(r: ConversionRuleView) {
  return {
    conversion_rule: {
      id: r.id,
      seconds: r.seconds,
      revenue: fromCents(r.revenue_cents),
      payout: fromCents(r.payout_cents),
      afid: r.afid,
      target_id: r.target_id,
      created_at: time(r.created_at),
      updated_at: time(r.updated_at),
    },
  };
}

const input = (body: ConversionRuleBody): ConversionRuleInput => {
  const { seconds, revenue, payout, afid, target_id } = body;
  return { seconds, revenue, payout, afid, target_id };
};

const tags = ['Conversion Rules'];
const ABOUT =
  "A call converts when its answered time reaches a rule's `seconds`. Rules for the call's target and affiliate " +
  'outrank rules for its target, then its affiliate, then campaign-wide rules; the most specific kind present decides ' +
  'alone, and within it the highest `seconds` reached wins. Duplicates (repeat callers within `dedupe_seconds`) are ' +
  'flagged and not payable/receivable.';

const RuleId = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The conversion rule id.' });
const Cid = Type.String({ minLength: 1, maxLength: 255, description: 'The campaign cid.' });
const CampaignId = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description: 'The campaign internal id.',
});

export async function conversionRuleRoutes(
  app: CoreApp,
  { conversionRules }: Pick<Services, 'conversionRules'>,
) {
  // The by-id paths name the campaign `:id` (as /campaigns/:id does) and the rule `:rule_id`.
  const ways = [
    {
      base: '/campaigns/cid/:cid',
      key: 'cid',
      campaign: Cid,
      ruleKey: 'id',
      ref: (p: any): CampaignRef => String(p.cid),
    },
    {
      base: '/campaigns/:id',
      key: 'id',
      campaign: CampaignId,
      ruleKey: 'rule_id',
      ref: (p: any): CampaignRef => Number(p.id),
    },
  ];
  for (const { base, key, campaign, ruleKey, ref } of ways) {
    const listParams = Type.Object({ [key]: campaign });
    const params = Type.Object({ [key]: campaign, [ruleKey]: RuleId });
    const ruleId = (p: any) => Number(p[ruleKey]);
    const doc = (summary: string, description: string) => ({
      tags,
      summary,
      description: `${description}\n\n${ABOUT}`,
    });
    const url = `${base}/conversion_rules`;

    app.get(
      url,
      {
        schema: {
          response: { 200: ConversionRules.list },
          ...doc('Get all Conversion Rules of a Campaign', 'Lists the rules, oldest first, 25 per page.'),
          params: listParams,
          querystring: ListQuery,
        },
      },
      async (req, reply) =>
        sendPage(
          reply,
          await conversionRules.list(req.core.companyId, ref(req.params), req.query.page ?? 1),
          presentConversionRule,
          'conversion_rules',
        ),
    );
    app.post(
      url,
      {
        config: { wrap: 'conversion_rule' },
        schema: {
          response: { 201: ConversionRules.one },
          ...doc('Create a Conversion Rule', 'Adds a rule to the campaign.'),
          params: listParams,
          body: ConversionRuleBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) => {
        const rule = await conversionRules.create(
          req.core.companyId,
          ref(req.params),
          input(req.body as ConversionRuleBody),
        );
        return send(reply, presentConversionRule(rule), { status: 201 });
      },
    );
    app.get(
      `${url}/:${ruleKey}`,
      {
        schema: {
          response: { 200: ConversionRules.one },
          ...doc('Get a specific Conversion Rule', 'One rule of the campaign.'),
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(
          reply,
          presentConversionRule(
            await conversionRules.get(req.core.companyId, ref(req.params), ruleId(req.params)),
          ),
        ),
    );
    app.put(
      `${url}/:${ruleKey}`,
      {
        config: { wrap: 'conversion_rule' },
        schema: {
          response: { 200: ConversionRules.one },
          ...doc('Update a Conversion Rule', 'Changes the attributes passed in.'),
          params,
          body: ConversionRuleBody,
          querystring: AuthQuery,
        },
      },
      async (req, reply) => {
        const id = ruleId(req.params);
        const rule = await conversionRules.update(
          req.core.companyId,
          ref(req.params),
          id,
          input(req.body as ConversionRuleBody),
        );
        return send(reply, presentConversionRule(rule));
      },
    );
    app.delete(
      `${url}/:${ruleKey}`,
      {
        schema: {
          response: { 200: ConversionRules.one },
          ...doc(
            'Remove a Conversion Rule',
            'Deletes the rule and answers it as it was; it is gone for good (404).',
          ),
          params,
          querystring: AuthQuery,
        },
      },
      async (req, reply) =>
        send(
          reply,
          presentConversionRule(
            await conversionRules.remove(req.core.companyId, ref(req.params), ruleId(req.params)),
          ),
        ),
    );
  }
}
