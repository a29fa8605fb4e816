// The page's markup, shared by index.html (the full playground) and embed.html (the compact embed):
// both are shells that load app.js, which inserts this before anything else runs. The stage puts
// what tells the story first: the story's text, the predictions beside the per-class table, the
// curves; the explanations and the code follow.

export const LAYOUT = `

  <a class="skip" href="#play">Skip to the training</a>
  <header class="top">
    <div class="brand">
      <h1><a id="home" href="./">dicelab</a><span id="embed-title" class="embed-only"></span></h1>
      <p class="lede">Why did my Dice loss make segmentations smaller and small classes vanish? Pick a story or
        toggle the loss options, and watch a tiny segmentation network train on synthetic material images, right here.</p>
    </div>
    <a id="open-full" class="button embed-only" target="_blank" rel="noopener">Open in dicelab ↗</a>
    <a id="share" class="button full-only" href="#">Link to this state</a>
  </header>
  <nav class="stories" data-part="stories" aria-label="Stories">
    <span class="stories-label" id="stories-label">Stories</span>
    <div id="stories" class="story-buttons" role="group" aria-labelledby="stories-label"></div>
  </nav>
  <div id="notices" role="status" aria-live="polite"></div>
  <div class="layout">
    <aside class="panel" aria-label="Options">
      <details id="options-box" class="options-box" open>
        <summary>Options</summary>
        <div data-part="presets">
          <h2 class="small">Presets</h2>
          <div id="presets" class="presets" role="group" aria-label="Presets"></div>
        </div>
        <div id="controls-a"></div>
        <div class="ab-toggle" data-part="ab">
          <input type="checkbox" id="ab"><label for="ab">A/B: train a second configuration beside it</label>
        </div>
        <div id="run-b" hidden>
          <h2 class="small">Run B</h2>
          <div id="controls-b"></div>
        </div>
      </details>
    </aside>
    <main class="stage">
      <section id="story" class="story" aria-labelledby="story-title" hidden>
        <h2 id="story-title"></h2>
        <p id="story-text"></p>
        <button type="button" id="story-more" class="story-more" aria-expanded="false" aria-controls="story-text">More</button>
        <p id="story-held" class="note" hidden>Paused at the step the figures above were measured at. Play trains on.</p>
        <p id="story-changed" class="note" hidden>You changed options since: the measured figures are for the story's own
          settings. <button type="button" id="story-restore">Back to the story</button></p>
      </section>
      <div class="transport" role="group" aria-label="Training">
        <button type="button" id="play" aria-pressed="false">Play</button>
        <button type="button" id="step">Step</button>
        <button type="button" id="reset">Reset</button>
        <span class="stat">step <output id="step-count">0</output></span>
        <span class="stat">loss <output id="loss-now" class="run-a-value">—</output><output id="loss-b" class="b-only run-b-value"></output></span>
        <span class="stat">mIoU <output id="miou" class="run-a-value">—</output><output id="miou-b" class="b-only run-b-value"></output></span>
        <span class="stat full-only"><output id="steps-per-s">—</output> steps/s</span>
        <span class="stat backend full-only" data-part="backend">backend: <output id="backend">starting…</output></span>
        <span id="embed-hint" class="stat embed-only"></span>
      </div>
      <div class="figure">
        <section class="views" aria-labelledby="views-title">
          <h2 id="views-title" class="small">Validation images</h2>
          <div class="image-head" aria-hidden="true"><span>input</span><span>truth</span><span class="run-a">A</span><span class="run-b b-only">B</span></div>
          <div id="images" class="images"></div>
          <p id="run-legend" class="legend"></p>
        </section>
        <section class="per-class" aria-labelledby="table-title">
          <h2 id="table-title" class="small">Per class, on the validation images</h2>
          <div class="table-wrap">
            <table id="class-table">
              <thead></thead>
              <tbody></tbody>
            </table>
          </div>
        </section>
      </div>
      <section class="charts" aria-label="Curves">
        <canvas id="loss-chart" class="chart" role="img" aria-label="Training loss against step"></canvas>
        <canvas id="miou-chart" class="chart" role="img" aria-label="Validation mIoU against step"></canvas>
        <canvas id="dice-chart" class="chart full-only" role="img" aria-label="Per-class Dice terms"></canvas>
        <canvas id="weight-chart" class="chart full-only" role="img" aria-label="Per-class weights"></canvas>
      </section>
      <section id="own" class="full-only own-section" aria-labelledby="own-title" data-part="own">
        <h2 id="own-title" class="small">Train on your own image</h2>
        <p id="own-note" class="note">Paint labels on your own photo and train on it, here in your browser.</p>
        <button type="button" id="own-open">Paint your own image</button>
        <div id="own-editor"></div>
        <p class="own-run"><button type="button" id="own-train" hidden>Train on this image</button>
          <span id="own-status" class="note" role="status"></span></p>
      </section>
      <section class="full-only" aria-labelledby="batch-title" data-part="gradient-view">
        <h2 id="batch-title" class="small">Run A's last training batch: image, labels as annotated, |∂L/∂z|</h2>
        <div class="image-row">
          <canvas id="batch-image" class="pix" role="img" aria-label="Training image"></canvas>
          <canvas id="batch-labels" class="pix" role="img" aria-label="Its labels as annotated (white: ignored)"></canvas>
          <canvas id="batch-heat" class="pix" role="img" aria-label="Magnitude of the loss gradient per pixel"></canvas>
        </div>
        <p class="note">Bright: pixels the loss pushes hardest. White labels are ignored. <span id="heat-scale"></span></p>
      </section>
      <section class="full-only" aria-labelledby="formula-title" data-part="formula-view">
        <h2 id="formula-title" class="small">The loss, as configured</h2>
        <div id="formula" class="formula"></div>
        <p id="formula-note" class="note"></p>
        <p id="inspector-none" class="note" hidden></p>
        <div id="inspector-box" class="inspector">
          <canvas id="inspector" class="chart" role="img" aria-label="Gradient of the loss with respect to one pixel's probability"></canvas>
          <label for="region">Region of <output id="region-value">4</output> pixels of the class, all predicted at p</label>
          <input type="range" id="region" min="1" max="64" value="4">
        </div>
      </section>
      <section class="full-only" aria-labelledby="code-title" data-part="code">
        <h2 id="code-title" class="small">Copy the implementation</h2>
        <div id="code-tabs" class="tabs" role="tablist" aria-label="Framework"></div>
        <pre class="code" id="code-panel" role="tabpanel" tabindex="0"><code id="code"></code></pre>
        <button type="button" id="copy-code">Copy</button> <span id="copy-status" role="status"></span>
        <details class="embed-help" data-part="embed-help">
          <summary>Embed this in a blog post</summary>
          <pre class="code"><code id="embed-snippet"></code></pre>
        </details>
      </section>
      <section class="full-only" aria-labelledby="tensors-title" data-part="tensors">
        <h2 id="tensors-title" class="small">Check your own tensors</h2>
        <p class="note">Your logits (B, H, W, C) and labels (B, H, W), saved with numpy.save, against run A's loss
          options: the loss, each unit's and class's sums and terms, and ∂L/∂logits, computed here by the reference
          engine in float64, as <code>dicelab loss</code> prints them. The files stay in your browser.</p>
        <div class="tensor-inputs">
          <label>logits.npy <input type="file" id="tensor-logits" accept=".npy"></label>
          <label>labels.npy <input type="file" id="tensor-labels" accept=".npy"></label>
        </div>
        <p id="tensor-msg" class="control-msg" role="alert"></p>
        <div id="tensor-result" hidden>
          <p id="tensor-summary"></p>
          <div class="table-wrap"><table id="tensor-table"></table></div>
          <p><a id="tensor-grad" class="button" download="grad.npy">Download grad.npy</a></p>
          <details><summary>The report as JSON</summary><pre class="code"><code id="tensor-json"></code></pre></details>
        </div>
      </section>
    </main>
  </div>
`;
