// The lenses (docs/lenses.md) and the query parameters the claim and subject pages share.

export const LENSES = [
  { name: "recency", label: "Recency", help: "the newest claim" },
  { name: "confidence", label: "Confidence", help: "the most confident claim" },
  { name: "consensus", label: "Consensus", help: "the value most distinct agents sign" },
  { name: "vote", label: "Vote", help: "the value with the most vote-weighted support" },
  { name: "authority", label: "Authority", help: "the value with the most authority weight (tier × trust × co-signers)" },
  { name: "epoch", label: "Epoch", help: "drops claims of superseded epochs, then an inner lens" },
];

export const LIFECYCLES = ["", "any", "proposed", "under_review", "approved", "deprecated", "rejected"];

export function lensOf(params) {
  return LENSES.some((l) => l.name === params.lens) ? params.lens : "recency";
}

// The filters a route's parameters carry, as the API names them (decay only when off).
export function filters(params) {
  return {
    decay: params.decay === "false" ? "false" : undefined,
    as_of: params.as_of,
    valid_at: params.valid_at,
    lifecycle: params.lifecycle,
  };
}
