//! The backward sweep as a page: one self-contained HTML file (no network, no external
//! scripts or fonts) with the drawn graph and a step control walking the sweep.

use super::BackwardStep;
use super::rules::rule;
use super::svg::{body, graph_layout, labels};
use crate::tape::{Tape, Var};
use crate::tensor::preview;
use crate::tensor::{Tensor, fmt_shape};

/// A JSON string literal ([`crate::io::json::quote`], which escapes the C0 controls), made
/// safe inside a `<script>` element read as XML too: `<`, `>` and `&` as `\u003c`, `\u003e`,
/// `\u0026` (so no `</script>` or CDATA end), and U+FFFE, U+FFFF (not XML characters) as
/// `\ufffe`, `\uffff`. The string the script reads is the name itself.
fn js(s: &str) -> String {
    crate::io::json::quote(s)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{fffe}', "\\ufffe")
        .replace('\u{ffff}', "\\uffff")
}

/// The page's data: per node its label, op, shape and value; per backward step the node,
/// its rule, the adjoint, the inputs' values and what it sends (with each receiver's
/// accumulated adjoint after the step).
fn data(tape: &Tape, steps: &[BackwardStep]) -> String {
    let nodes = tape.nodes();
    let node_json: Vec<String> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "{{\"label\":{},\"op\":{},\"shape\":{},\"value\":{},\"rule\":{}}}",
                js(&format!(
                    "{i}{}",
                    tape.name_of(i).map(|n| format!(" {n}")).unwrap_or_default()
                )),
                js(&n.op.name()),
                js(&fmt_shape(n.value.shape())),
                js(&format!("value {}", preview(&n.value))),
                js(rule(&n.op))
            )
        })
        .collect();
    let mut acc: Vec<Option<Tensor>> = vec![None; nodes.len()];
    let step_json: Vec<String> = steps
        .iter()
        .map(|s| {
            let sends: Vec<String> = s
                .sends
                .iter()
                .map(|(to, g)| {
                    let sum = match acc[*to].take() {
                        Some(a) => a.add(g),
                        None => g.clone(),
                    };
                    let text = format!(
                        "{{\"to\":{to},\"grad\":{},\"acc\":{}}}",
                        js(&preview(g)),
                        js(&format!("grad {}", preview(&sum)))
                    );
                    acc[*to] = Some(sum);
                    text
                })
                .collect();
            let inputs: Vec<String> = nodes[s.node]
                .op
                .inputs()
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| format!("[{k},{}]", js(&preview(&nodes[k].value))))
                .collect();
            format!(
                "{{\"node\":{},\"op\":{},\"adjoint\":{},\"inputs\":[{}],\"sends\":[{}]}}",
                s.node,
                js(&s.op.name()),
                js(&preview(&s.adjoint)),
                inputs.join(","),
                sends.join(",")
            )
        })
        .collect();
    format!(
        "{{\"nodes\":[{}],\"steps\":[{}]}}",
        node_json.join(",\n"),
        step_json.join(",\n")
    )
}

/// The page's style: the bar on top, then the graph and the panel side by side, each in its
/// own scrolling region (the panel never lies over the graph). Text is 14 px or more.
const STYLE: &str = "body{margin:0;font-family:sans-serif;font-size:15px;display:flex;flex-direction:column;height:100vh}
#bar{padding:6px 10px;border-bottom:1px solid #ccc;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
#bar button{font:inherit;padding:2px 10px}
#pos{font-weight:bold}
#main{flex:1;display:flex;min-height:0}
#graph{flex:1 1 auto;min-width:0;overflow:auto}
#graph svg{display:block;margin:0 auto}
#panel{flex:0 0 clamp(240px,32vw,400px);box-sizing:border-box;padding:4px 12px;border-left:1px solid #ccc;overflow:auto}
#panel h3{font-size:18px;margin:8px 0}
#panel p{margin:12px 0 2px;color:#444}
#panel code{display:block;white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:4px 0;font-size:14px}
#panel ul{margin:4px 0;padding-left:20px}
.node.current rect{stroke:#d00;stroke-width:3;fill:#fff3c4}
.node.done rect{fill:#eef8ee}
.node.receiving rect{stroke:#b03000;stroke-width:2.5}
.node.future text.value{visibility:hidden}
.edge.sending{stroke:#b03000;stroke-width:3}
.edge.forward{stroke:#0050c0;stroke-width:3}";

/// The step control. Steps are numbered from 0 everywhere: `#step=K`, the counter and the
/// panel's title show the same `K`, the index into `D.steps` (`Tape::backward_steps`).
const SCRIPT: &str = r#"
const D = JSON.parse(document.getElementById('data').textContent);
let mode = 'backward', k = 0, shown = [];
const $ = (id) => document.getElementById(id);
const max = () => mode === 'backward' ? D.steps.length - 1 : D.nodes.length - 1;
function fromHash() {
  const m = location.hash.match(/^#(step|forward)=(\d+)$/);
  if (m) { mode = m[1] === 'step' ? 'backward' : 'forward'; k = parseInt(m[2], 10); }
  k = Math.max(0, Math.min(k, max()));
}
// Scrolls the graph's region to centre the first of these sets of nodes that fits in it;
// each set starts with the current node, and the last is that node alone.
function reveal(sets) {
  const g = $('graph'), view = g.getBoundingClientRect();
  for (const set of sets) {
    const rs = set.map((i) => $('node-' + i).getBoundingClientRect());
    const l = Math.min(...rs.map((r) => r.left)), r = Math.max(...rs.map((r) => r.right));
    const t = Math.min(...rs.map((r) => r.top)), b = Math.max(...rs.map((r) => r.bottom));
    if (set.length > 1 && (r - l > g.clientWidth - 16 || b - t > g.clientHeight - 16)) continue;
    g.scrollLeft += (l + r) / 2 - (view.left + g.clientWidth / 2);
    g.scrollTop += (t + b) / 2 - (view.top + g.clientHeight / 2);
    return;
  }
}
function render() {
  document.querySelectorAll('.node').forEach((g) => g.classList.remove('current', 'done', 'receiving', 'future'));
  document.querySelectorAll('.edge').forEach((e) => e.classList.remove('sending', 'forward'));
  document.querySelectorAll('.edge-label').forEach((t) => t.textContent = '');
  document.querySelectorAll('.grad').forEach((t) => t.textContent = '');
  const cur = $('current'), sends = $('sends');
  sends.innerHTML = '';
  let node, sets;
  if (mode === 'backward' && D.steps.length > 0) {
    for (let j = 0; j <= k; j++) {
      const s = D.steps[j];
      const g = $('grad-' + s.node);
      if (g) g.textContent = 'grad ' + s.adjoint;
      $('node-' + s.node).classList.add(j === k ? 'current' : 'done');
      for (const r of s.sends) { const t = $('grad-' + r.to); if (t) t.textContent = r.acc; }
    }
    const s = D.steps[k];
    node = s.node;
    $('adjoint').textContent = s.adjoint;
    for (const r of s.sends) {
      $('node-' + r.to).classList.add('receiving');
      document.querySelectorAll('.edge[data-from="' + r.to + '"][data-to="' + node + '"]').forEach((e) => {
        e.classList.add('sending');
        $('edge-label-' + e.id.slice(5)).textContent = r.grad;
      });
      const li = document.createElement('li');
      li.textContent = 'to ' + D.nodes[r.to].label + ': ' + r.grad + '  (its adjoint now ' + r.acc.slice(5) + ')';
      sends.appendChild(li);
    }
    $('inputs').textContent = s.inputs.map((p) => D.nodes[p[0]].label + ' = ' + p[1]).join('\n') || '(none)';
    // The node, what it sends, and the loss where the sweep began, if they fit together.
    const to = s.sends.map((r) => r.to), loss = D.steps[0].node;
    sets = [[node, ...to, loss], [node, loss], [node, ...to], [node]];
  } else {
    node = k;
    document.querySelectorAll('.node').forEach((g) => {
      const i = parseInt(g.dataset.node, 10);
      if (i > k) g.classList.add('future'); else if (i < k) g.classList.add('done');
    });
    $('node-' + k).classList.add('current');
    const from = [];
    document.querySelectorAll('.edge[data-to="' + k + '"]').forEach((e) => {
      e.classList.add('forward');
      from.push(parseInt(e.dataset.from, 10));
    });
    $('adjoint').textContent = '';
    $('inputs').textContent = D.nodes[k].value;
    sets = [[node, ...from], [node]];
  }
  const pos = (mode === 'backward' ? 'backward' : 'forward') + ' step ' + k + ' of 0\u2013' + max();
  $('title').textContent = pos + ': node ' + D.nodes[node].label;
  $('pos').textContent = pos;
  cur.dataset.node = node;
  cur.dataset.mode = mode;
  cur.textContent = D.nodes[node].label + ': ' + D.nodes[node].op + ' ' + D.nodes[node].shape;
  $('rule').textContent = D.nodes[node].rule;
  $('mode').textContent = mode === 'backward' ? 'show forward' : 'show backward';
  const h = '#' + (mode === 'backward' ? 'step' : 'forward') + '=' + k;
  if (location.hash !== h) history.replaceState(null, '', h);
  shown = sets;
  reveal(sets);
}
function go(to) { k = Math.max(0, Math.min(to, max())); render(); }
$('first').onclick = () => go(0);
$('prev').onclick = () => go(k - 1);
$('next').onclick = () => go(k + 1);
$('last').onclick = () => go(max());
$('mode').onclick = () => { mode = mode === 'backward' ? 'forward' : 'backward'; go(0); };
document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight') go(k + 1);
  else if (e.key === 'ArrowLeft') go(k - 1);
});
window.addEventListener('hashchange', () => { fromHash(); render(); });
window.addEventListener('resize', () => reveal(shown));
fromHash();
render();
"#;

impl Tape {
    /// The backward sweep from `loss` as one self-contained HTML page (no network access, no
    /// external scripts or fonts): the graph of [`Tape::to_svg`] and a step control (buttons,
    /// and the ←/→ keys). At backward step `k` (as [`Tape::backward_steps`] lists them) the
    /// node being processed is highlighted, its adjoint appears, the local gradients it sends
    /// label its input arrows, and the receivers' accumulated adjoints update (fan-out sums);
    /// the panel beside the graph shows the rule with its formula and the numbers plugged in.
    /// The graph scrolls in its own region, never under the panel, to show the current node
    /// (with its inputs and the loss when they fit): at load, step 0, the loss.
    ///
    /// Steps are numbered from 0, as [`Tape::backward_steps`] indexes them (step 0 is the
    /// loss, seeded with `dL/dL = 1`): the URL fragment `#step=K`, the counter ("backward step
    /// K of 0–N") and the panel's title all show the same `K`. `#forward=K` walks the forward
    /// pass instead, step `K` being node `K` (values appear in evaluation order).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(3.0).named("w");
    /// let loss = (w * w).named("L");
    /// let html = tape.to_html(loss);
    /// assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("http"));
    /// ```
    ///
    /// # Panics
    /// As [`Tape::backward_steps`]: `loss` must be a `[1x1]` node of this tape.
    pub fn to_html(&self, loss: Var<'_>) -> String {
        let steps = self.backward_steps(loss);
        // Without grads every box has an empty adjoint line, for the sweep to fill.
        let labels = labels(self, None);
        let layout = graph_layout(self, &labels);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
             <title>tapegrad: the backward sweep</title><style>{STYLE}</style></head><body>\n\
             <div id=\"bar\"><button id=\"first\">|&lt;</button><button id=\"prev\">&lt; prev</button>\
             <button id=\"next\">next &gt;</button><button id=\"last\">&gt;|</button>\
             <span id=\"pos\"></span><button id=\"mode\"></button>\
             <span>keys: &#8592; &#8594;</span></div>\n\
             <div id=\"main\"><div id=\"graph\"><svg width=\"{w:.0}\" height=\"{h:.0}\" \
             viewBox=\"0 0 {w:.0} {h:.0}\">\n{}</svg></div>\n\
             <aside id=\"panel\"><h3 id=\"title\"></h3><div id=\"current\" data-node=\"\"></div>\
             <p>rule</p><code id=\"rule\"></code><p>incoming adjoint dy = dL/dy</p>\
             <code id=\"adjoint\"></code><p>inputs</p><code id=\"inputs\"></code>\
             <p>sends</p><ul id=\"sends\"></ul></aside></div>\n\
             <script id=\"data\" type=\"application/json\">{}</script>\n<script>//<![CDATA[{SCRIPT}//]]></script>\n\
             </body></html>\n",
            body(self, &labels, &layout),
            data(self, &steps),
            w = layout.width.max(1.0),
            h = layout.height.max(1.0)
        )
    }
}
