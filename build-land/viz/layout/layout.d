build-land/viz/layout/layout.o: viz/layout/layout.c \
 viz/layout/layout_internal.h viz/layout/layout.h viz/layout/drawlist.h \
 viz/layout/ui.h viz/model/view_model.h runtime/model/trace_model.h \
 viz/model/playhead.h viz/model/view_model.h viz/layout/theme.h
viz/layout/layout_internal.h:
viz/layout/layout.h:
viz/layout/drawlist.h:
viz/layout/ui.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/model/playhead.h:
viz/model/view_model.h:
viz/layout/theme.h:
