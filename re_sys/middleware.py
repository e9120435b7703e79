"""Site-wide answers: a locked sign-in is a 429 with Retry-After at every door."""


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
