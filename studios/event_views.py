"""Exchange events' pages, on the `courseware` blueprint: lists, the event page with sign-up,
the organiser's sign-up list with check-in, and creating and cancelling events."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guild.access import public, signed_in
from guild.extensions import db
from guild.timeutil import utcnow
from guild.web import current_actor, page_number
from studios.courseware_forms import CancelEventForm, EventForm, to_utc
from studios.courseware_views import PER_PAGE, approved_studio, bp, found
from studios.services import events
from studios.services.access import (
    get_alliance,
    is_alliance_admin,
    require_alliance_admin,
    require_studio_member,
)
from studios.web import attempt

PAST_SHOWN = 20


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _list_page(title: str, owner=None, create_url: str | None = None, **where):
    now = utcnow()
    upcoming = db.paginate(
        events.upcoming_events(now, **where), page=page_number(), per_page=PER_PAGE, error_out=False
    )
    past = (
        list(db.session.scalars(events.past_events(now, **where).limit(PAST_SHOWN)))
        if where
        else []
    )
    context = {"title": title, "owner": owner, "upcoming": upcoming, "past": past}
    return render_template("studios/event_list.html", create_url=create_url, **context)


@bp.route("/events")
@public
def events_index():
    """Upcoming exchange events of every studio and alliance."""
    return _list_page(_("Exchange events"))


@bp.route("/<int:studio_id>/events")
@public
def studio_events(studio_id: int):
    """A studio's events: upcoming, then the latest past ones."""
    studio = approved_studio(studio_id)
    leads = studio.leader_id == _user_id()
    create_url = url_for("courseware.new_studio_event", studio_id=studio.id) if leads else None
    return _list_page(studio.name, studio, create_url, studio_id=studio.id)


@bp.route("/alliances/<int:alliance_id>/events")
@public
def alliance_events(alliance_id: int):
    """An alliance's own events."""
    alliance = found(lambda: get_alliance(alliance_id))
    admin = is_alliance_admin(_user_id(), alliance.id)
    create_url = (
        url_for("courseware.new_alliance_event", alliance_id=alliance.id) if admin else None
    )
    return _list_page(alliance.name, alliance, create_url, alliance_id=alliance.id)


def _event_page(event, status: int = 200):
    signup = events.my_signup(_user_id(), event.id)
    context = {
        "event": event,
        "organiser": events.organiser_name(event),
        "counts": events.counts(event.id),
        "signup": signup,
        "position": events.waiting_position(signup) if signup and signup.status == "waiting" else 0,
        "is_organiser": events.is_organiser(_user_id(), event),
        "started": event.starts_at <= utcnow(),
    }
    return render_template("studios/event_detail.html", **context), status


@bp.route("/events/<int:event_id>")
@public
def event_detail(event_id: int):
    """An event: when, where, places and waiting list, and signing up or cancelling."""
    return _event_page(found(lambda: events.get_event(event_id)))


def _after_change(event_id: int, done: bool, message: str):
    if not done:
        return _event_page(found(lambda: events.get_event(event_id)), 400)
    flash(message, "success")
    return redirect(url_for("courseware.event_detail", event_id=event_id))


@bp.route("/events/<int:event_id>/signup", methods=["POST"])
@signed_in
def sign_up(event_id: int):
    """Sign up: a place while any is free, else the waiting list."""
    done, signup = attempt(lambda: events.sign_up(current_actor(), event_id))
    if done and signup.status == "waiting":
        return _after_change(event_id, done, _("The event is full: you are on the waiting list."))
    return _after_change(event_id, done, _("You have a place at the event."))


@bp.route("/events/<int:event_id>/signup/cancel", methods=["POST"])
@signed_in
def cancel_signup(event_id: int):
    """Give up my place (the first waiting person gets it) or leave the waiting list."""
    done, _signup = attempt(lambda: events.cancel_signup(current_actor(), event_id))
    return _after_change(event_id, done, _("Your sign-up has been cancelled."))


def _organised(event_id: int):
    """The event, if the signed-in user organises it (403 otherwise)."""
    event = found(lambda: events.get_event(event_id))
    if not events.is_organiser(_user_id(), event):
        abort(403)
    return event


def _signups_page(event, status: int = 200):
    signups = events.signups_of(event.id)
    context = {
        "event": event,
        "signups": signups,
        "people": events.people_of(signups),
        "counts": events.counts(event.id),
    }
    return render_template("studios/event_signups.html", **context), status


@bp.route("/events/<int:event_id>/signups")
@signed_in
def event_signups(event_id: int):
    """The organiser's list of sign-ups, with check-in."""
    return _signups_page(_organised(event_id))


@bp.route("/events/<int:event_id>/signups/<int:signup_id>/check-in", methods=["POST"])
@signed_in
def check_in(event_id: int, signup_id: int):
    """The organiser checks a confirmed person in."""
    done, _signup = attempt(lambda: events.check_in(current_actor(), event_id, signup_id))
    if not done:
        return _signups_page(_organised(event_id), 400)
    flash(_("Checked in."), "success")
    return redirect(url_for("courseware.event_signups", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel_event(event_id: int):
    """The organiser cancels the event, giving a reason; sign-ups are kept."""
    event = _organised(event_id)
    form = CancelEventForm()
    if form.is_submitted() and form.validate():
        done, _event = attempt(
            lambda: events.cancel_event(current_actor(), event.id, form.reason.data), form
        )
        if done:
            flash(_("The event has been cancelled."), "success")
            return redirect(url_for("courseware.event_detail", event_id=event_id))
        event = _organised(event_id)
    status = 400 if form.is_submitted() else 200
    return render_template("studios/event_cancel.html", event=event, form=form), status


def _create(form: EventForm, owner, **held_by):
    if form.is_submitted() and form.validate():
        fields = events.EventFields(
            form.title.data,
            form.place.data,
            to_utc(form.starts_at.data),
            to_utc(form.ends_at.data),
            form.capacity.data,
            form.description.data or "",
        )
        done, event = attempt(lambda: events.create_event(current_actor(), fields, **held_by), form)
        if done:
            flash(_("The event has been created."), "success")
            return redirect(url_for("courseware.event_detail", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_template("studios/event_form.html", form=form, owner=owner), status


@bp.route("/<int:studio_id>/events/new", methods=["GET", "POST"])
@signed_in
def new_studio_event(studio_id: int):
    """The studio's leader creates an event."""
    studio = approved_studio(studio_id)
    found(lambda: require_studio_member(current_actor(), studio.id, leader_only=True))
    return _create(EventForm(), studio, studio_id=studio.id)


@bp.route("/alliances/<int:alliance_id>/events/new", methods=["GET", "POST"])
@signed_in
def new_alliance_event(alliance_id: int):
    """An alliance's admin creates an event."""
    alliance = found(lambda: require_alliance_admin(current_actor(), alliance_id))
    return _create(EventForm(), alliance, alliance_id=alliance.id)
