"""Site-wide answers: a locked sign-in is a 429 with Retry-After at every door; a member's answers
are never kept by a shared cache."""
from django.utils.cache import patch_cache_control


class SignInLockStatus:
    """The auth backend marks a request it refused to check (`request.signin_wait`);
    the site's and the admin's sign-in pages then answer 429, not 200/400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "signin_wait", 0)
        if wait and response.status_code in (200, 400):  # the form shown again, not a redirect
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response


class PersonalAnswersPrivate:
    """An answer made for a signed-in member (a page, or the API by their session or token) may hold
    their ratings or what is derived from them, so it says Cache-Control: private. `Vary: Cookie`
    alone leaves that to every cache on the way honouring Vary, and a token request has no cookie.
    An answer that chose its own Cache-Control (the public generated posters) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)     # the token's account, where the API took one
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response
