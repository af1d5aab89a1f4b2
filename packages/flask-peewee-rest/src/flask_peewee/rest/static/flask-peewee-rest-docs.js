// Starts Swagger UI on the explorer page of flask-peewee-rest (FLASK_PEEWEE_REST_DOCS = True).
// Try-it-out requests never carry the browser's cookies: they authenticate only with what is
// entered under "Authorize" (the API's own schemes), so a logged-in session cannot write.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    withCredentials: false,
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
})();
