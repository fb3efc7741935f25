// MathJax reads this before it starts; the library itself is served from this site
// (assets/vendor/mathjax/tex-svg.js, added by offline_math.py), never from a CDN.
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
    enableMenu: false, // the menu loads extra components on demand
  },
};
