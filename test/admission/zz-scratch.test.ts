import { celEval, toCel } from './cel';
test("x", () => {
const b = { c: toCel({ securityContext: { runAsUser: 0 } , name:'x'}) };
for (const e of ["c.?securityContext.?runAsUser.orValue(5)", "c.?securityContext.?runAsNonRoot.orValue(true)", "has(c.securityContext) && has(c.securityContext.runAsUser)", "'a,b'.split(',')", "'abc'.matches('\\\\p{L}{3}')", "[1,2].exists(x, x == 2)", "'a' + c.name", "c.?ports.orValue([]).size()", "'ab'.indexOf('b')", "c.securityContext.?capabilities.?add.orValue([]).all(a, a=='x')"]) {
  try { console.log(e, '=>', celEval(e, b)); } catch (x) { console.log(e, 'ERR', (x as Error).message); }
}
});
