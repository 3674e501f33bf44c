/* The chart's state: the server's typed chart, and pure functions over it.
 *
 * The server owns every number shown: volumes, marks, totals and warnings come
 * with the state, already formatted where they are shown (``draw_text``); this
 * module only finds, merges and describes sites.
 */

export const round2 = (n) => Math.round((n + Number.EPSILON) * 100) / 100;

/** Units as the server writes them (planner.dosing.format_units): 2.50 -> "2.5". */
export const fmtUnits = (n) => String(round2(n));

export const siteById = (state, id) => state.sites.find((s) => s.id === id);

export function addedSites(before, after) {
  const old = new Set(before.sites.map((s) => s.id));
  return after.sites.filter((s) => !old.has(s.id));
}

export function muscleName(state, code) {
  return state.muscles.find((m) => m.code === code)?.name || code.replace(/_/g, " ");
}

/** Fill in what a site delta lacks (names, guidance) from the state we hold.
 *
 * The delta has no volume: the draw text is kept only while the dose is the one
 * it was written for, and the refresh that follows brings the server's own. */
export function completeSite(state, previous, site) {
  const muscle = state.muscles.find((m) => m.code === site.muscle);
  const sameDose = previous && previous.units === site.units;
  return {
    ...previous,
    ...site,
    muscle_name: muscle ? muscle.name : site.muscle,
    abbreviation: muscle ? muscle.abbreviation : "",
    guidance: muscle ? muscle.guidance : "",
    caution: muscle ? muscle.caution : "",
    volume_ml: sameDose ? previous.volume_ml : null,
    marks: sameDose ? previous.marks : null,
    draw_text: sameDose ? previous.draw_text : null,
  };
}

/** Take a mutation's answer: the whole state, or a delta patched in (``whole`` false). */
export function patchState(state, body) {
  if (body && body.session && Array.isArray(body.sites)) return { next: body, whole: true };
  const next = { ...state, session: { ...state.session }, sites: state.sites.slice() };
  if (body && typeof body.version === "number") next.session.version = body.version;
  if (body && body.site) {
    const index = next.sites.findIndex((s) => s.id === body.site.id);
    const site = completeSite(state, index >= 0 ? next.sites[index] : null, body.site);
    if (index >= 0) next.sites[index] = site;
    else next.sites.push(site);
    next.sites.sort((a, b) => a.number - b.number);
  }
  if (body && body.deleted != null) next.sites = next.sites.filter((s) => s.id !== body.deleted);
  return { next, whole: false };
}

/** The words for a site: "Orbicularis oculi, left, 2.5 U". */
export function describeSite(site, units, { unitName, sideNames }) {
  const side = (sideNames[site.side] || site.side).toLowerCase();
  const dose = units == null ? "dose not entered" : `${fmtUnits(units)} ${unitName}`;
  return `${site.muscle_name}, ${side}, ${dose}`;
}
