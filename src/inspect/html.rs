//! The backward sweep as a page: one self-contained HTML file (no network, no external
//! scripts or fonts) with the drawn graph and a step control walking the sweep.

use super::rules::rule;
use super::svg::{body, graph_layout, labels};
use super::{BackwardStep, preview};
use crate::tape::{Tape, Var};
use crate::tensor::{Tensor, fmt_shape};

/// A JSON string literal ([`crate::io::json::quote`]), made safe inside a `<script>`
/// element: `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (so no `</script>` or CDATA end).
fn js(s: &str) -> String {
    crate::io::json::quote(s)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
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

const STYLE: &str =
    "body{margin:0;font-family:sans-serif;display:flex;flex-direction:column;height:100vh}
#bar{padding:6px 10px;border-bottom:1px solid #ccc;display:flex;gap:8px;align-items:center}
#main{flex:1;display:flex;min-height:0}
#graph{flex:1;overflow:auto}
#panel{width:360px;padding:10px;border-left:1px solid #ccc;overflow:auto;font-size:14px}
#panel code{display:block;white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:4px 0}
.node.current rect{stroke:#d00;stroke-width:3;fill:#fff3c4}
.node.done rect{fill:#eef8ee}
.node.receiving rect{stroke:#b03000;stroke-width:2.5}
.node.future text.value{visibility:hidden}
.edge.sending{stroke:#b03000;stroke-width:3}
.edge.forward{stroke:#0050c0;stroke-width:3}";

const SCRIPT: &str = r#"
const D = JSON.parse(document.getElementById('data').textContent);
let mode = 'backward', k = 0;
const $ = (id) => document.getElementById(id);
const max = () => mode === 'backward' ? D.steps.length - 1 : D.nodes.length - 1;
function fromHash() {
  const m = location.hash.match(/^#(step|forward)=(\d+)$/);
  if (m) { mode = m[1] === 'step' ? 'backward' : 'forward'; k = parseInt(m[2], 10); }
  k = Math.max(0, Math.min(k, max()));
}
function render() {
  document.querySelectorAll('.node').forEach((g) => g.classList.remove('current', 'done', 'receiving', 'future'));
  document.querySelectorAll('.edge').forEach((e) => e.classList.remove('sending', 'forward'));
  document.querySelectorAll('.edge-label').forEach((t) => t.textContent = '');
  document.querySelectorAll('.grad').forEach((t) => t.textContent = '');
  const cur = $('current'), sends = $('sends');
  sends.innerHTML = '';
  let node;
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
    $('title').textContent = 'backward step ' + k + ' of ' + D.steps.length + ': node ' + D.nodes[node].label;
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
  } else {
    node = k;
    document.querySelectorAll('.node').forEach((g) => {
      const i = parseInt(g.dataset.node, 10);
      if (i > k) g.classList.add('future'); else if (i < k) g.classList.add('done');
    });
    $('node-' + k).classList.add('current');
    document.querySelectorAll('.edge[data-to="' + k + '"]').forEach((e) => e.classList.add('forward'));
    $('adjoint').textContent = '';
    $('title').textContent = 'forward step ' + k + ' of ' + D.nodes.length + ': node ' + D.nodes[k].label;
    $('inputs').textContent = D.nodes[k].value;
  }
  cur.dataset.node = node;
  cur.dataset.mode = mode;
  cur.textContent = D.nodes[node].label + ': ' + D.nodes[node].op + ' ' + D.nodes[node].shape;
  $('rule').textContent = D.nodes[node].rule;
  $('pos').textContent = (k + 1) + ' / ' + (max() + 1);
  $('mode').textContent = mode === 'backward' ? 'show forward' : 'show backward';
  const h = '#' + (mode === 'backward' ? 'step' : 'forward') + '=' + k;
  if (location.hash !== h) history.replaceState(null, '', h);
  $('node-' + node).scrollIntoView({block: 'nearest', inline: 'nearest'});
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
fromHash();
render();
"#;

impl Tape {
    /// The backward sweep from `loss` as one self-contained HTML page (no network access, no
    /// external scripts or fonts): the graph of [`Tape::to_svg`] and a step control (buttons,
    /// and the ←/→ keys). At backward step `k` (as [`Tape::backward_steps`] lists them) the
    /// node being processed is highlighted, its adjoint appears, the local gradients it sends
    /// label its input arrows, and the receivers' accumulated adjoints update (fan-out sums);
    /// the side panel shows the rule with its formula and the numbers plugged in. The URL
    /// fragment `#step=K` opens step `K`; `#forward=K` walks the forward pass instead (values
    /// appear in evaluation order).
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
