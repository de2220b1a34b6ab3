/* Sphinx 9's Chinese search data ends with `window.Stemmer = ChineseStemmer;` but ships only the English
   stemmer it indexes Latin words with: name that stemmer ChineseStemmer, so the page loads without an
   error and the search stems English words as the index did. Harmless where ChineseStemmer is defined. */
function ChineseStemmer() {
  return new EnglishStemmer();
}
