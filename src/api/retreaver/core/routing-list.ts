import { Type } from 'typebox';

const Ids = Type.Optional(
  Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), { maxItems: 5000 }),
);

/** Body fields that set a routing list (campaigns, numbers, menu options). */
export const RoutingListFields = {
  target_ids: Ids,
  target_group_ids: Ids,
  add_targets_by_id: Ids,
  remove_targets_by_id: Ids,
  add_target_groups_by_id: Ids,
  remove_target_groups_by_id: Ids,
};
