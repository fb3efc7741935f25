// MathJax reads this before it starts; the library itself is served from this site
// (assets/vendor/mathjax/tex-svg.js, added by offline_math.py), never from a CDN, and so is
// all that its right-click menu loads on demand (speech, the explorer, the other renderer).

// The speech rule engine's rules for one language, from the script that offline_math.py
// publishes for it: the engine would fetch them as JSON from a CDN, and a page opened from
// disk (file://) may run a script but not fetch a file. The engine wants them as JSON text.
function loadSpeechRules(locale) {
  const loaded = () => (window.MathJaxSpeechRules || {})[locale];
  if (loaded()) return Promise.resolve(JSON.stringify(loaded()));
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `${MathJax.config.loader.paths.mathjax}/sre/mathmaps/${locale}.js`;
    script.onload = () => loaded() ? resolve(JSON.stringify(loaded()))
      : reject(new Error(`${script.src} has no speech rules for ${locale}`));
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.appendChild(script);
  });
}

// Two copies of the engine read this: the menu's own (its Language entry), and the one that
// the a11y/sre component brings, which replaces the whole object as it loads, hence again
// when it is ready.
window.SREfeature = { custom: loadSpeechRules };

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  startup: {
    // MathJax 3.2's menu re-renders without waiting for what it has just loaded, so that
    // Accessibility > Activate left the page with no math: the maintainers' work-around
    // (github.com/mathjax/MathJax/issues/3124; fixed in MathJax 4).
    ready() {
      const { mathjax } = MathJax._.mathjax;
      const { STATE } = MathJax._.core.MathItem;
      const { Menu } = MathJax._.ui.menu.Menu;
      const rerender = Menu.prototype.rerender;
      Menu.prototype.rerender = function (start = STATE.TYPESET) {
        mathjax.handleRetriesFor(() => rerender.call(this, start));
      };
      MathJax.startup.defaultReady();
    },
  },
  loader: {
    "a11y/sre": {
      ready: (name) => {
        window.SREfeature.custom = loadSpeechRules;
        return name;
      },
    },
  },
};
